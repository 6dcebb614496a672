"""The weights shipped with LetterLab, installed as the package ``model.weights_data``.

This folder holds data only; ``model.weights.SHIPPED_DIR`` finds it with importlib.resources
(see pyproject.toml). ``default.npz`` here is what the app loads on first launch.
"""
