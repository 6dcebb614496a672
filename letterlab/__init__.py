"""LetterLab's command line (``letterlab``); with no arguments it opens the app."""
