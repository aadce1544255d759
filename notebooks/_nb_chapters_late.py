"""Cells of notebooks 07 (EGraph) and 08 (DARTS) (see _make_notebooks.py)."""

CH7 = ["md:\n# Chapter 7\n", 'params:\nimport os\nBUDGET = os.environ.get("NASNB_BUDGET", "full")']
CH8 = ["md:\n# Chapter 8\n", 'params:\nimport os\nBUDGET = os.environ.get("NASNB_BUDGET", "full")']
