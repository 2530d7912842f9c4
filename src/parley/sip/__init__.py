"""parley.sip"""
