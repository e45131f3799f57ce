"""aicc.sim"""
