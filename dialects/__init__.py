"""aicc.dialects"""
