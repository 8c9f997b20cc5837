"""Independent Python reference for the MRR spec (shares no code with the dbt models)."""
