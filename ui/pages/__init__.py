"""The window's screens: Data, Run, Users and Evaluation, one module each."""
