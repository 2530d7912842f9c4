"""parley.gui"""
