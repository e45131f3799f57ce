"""The compile driver and everything that strings the layers below it together."""
