"""Web edge: layout, static assets, translations, sessions and CSRF, error rendering."""
