"""parley.phone"""
