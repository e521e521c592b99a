"""Analysis of one system's record: who received the CPR, why, and the verdict."""
