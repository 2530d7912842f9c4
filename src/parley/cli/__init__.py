"""parley.cli"""
