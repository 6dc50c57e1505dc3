"""Registers the administration of every application: its pages live in cnfs.pages.admin with the other pages
(docs/architecture.md), and Django's autodiscovery imports this module of the `cnfs` application."""

from cnfs.pages.admin import (  # noqa: F401
    comptes,
    conseillers,
    cra,
    emploi,
    exports,
    ressourcerie,
    statistiques,
    structures,
)
