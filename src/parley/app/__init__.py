"""parley.app"""
