"""The Flask front end: ``create_app(config)`` serves the JSON API and the HTML pages."""
