# No models. The module exists so that Django sends post_migrate for this app (it skips
# apps without one), which creates the database cache's table (renewal_portal/apps.py).
