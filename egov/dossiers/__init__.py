"""Dossiers (hồ sơ): rule sets, internal processes, reception, routing, deadlines, results, lookup."""
