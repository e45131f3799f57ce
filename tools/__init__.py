"""aicc.tools"""
