"""The PySide6 desktop front end. It drives ``engine`` on worker threads and never the
other way round: the engine does not import Qt.
"""
