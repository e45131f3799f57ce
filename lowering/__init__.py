"""aicc.lowering"""
