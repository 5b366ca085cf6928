"""The back office's catalog and content (issue 13, admin + merchandiser).

``products`` / ``variants`` / ``images`` / ``content`` / ``transfer`` hold the rules (plain
functions on a session, every change audited in its own transaction); ``*_views`` are the
pages under ``/admin/catalog`` and ``api`` the JSON under ``/api/admin/...``.
"""
