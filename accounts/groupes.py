"""The staff groups of the Django admin (their permissions are set by accounts/migrations/0002_groupes.py).

- « Équipe nationale »: the national team (ANCT); every account holding the `admin` role is in it
  (accounts.services.role_grant).
- « Support »: read-only staff (help desk): sees everything the national team sees, changes nothing.

Only a superuser manages staff status, groups and individual permissions (cnfs/pages/admin/comptes.py).
"""

EQUIPE_NATIONALE = "Équipe nationale"
SUPPORT = "Support"
