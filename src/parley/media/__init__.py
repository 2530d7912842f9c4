"""parley.media"""
