"""aicc.frontend"""
