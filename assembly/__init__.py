"""The assembly: the place its members are drawn from (`assembly.place`) and what it is about.

Imports only the standard library and PyYAML: surveys, the bot and the staff pages read it.
"""
