"""Random and hostile CRAs thrown at the form (new, edit) and at the service (SPEC §4.1): never an error page
nor an unexpected exception; either a CRA keeping every rule is stored, or nothing is, and the form comes
back in French with every typed value."""

import datetime
import re
import uuid

import pytest
from django import forms
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.html import escape
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from cra import services
from cra.enums import AGES, STATUTS, Activite, Canal, Duree, Organisme, SousTheme, Theme
from cra.forms import CraForm
from cra.models import Cra, CraHistorique, CraRedirection
from cra.rules import check_cra
from cra.services import CraInvalid, cra_context_for
from tests.cra.factories import cra_data
from tests.cra.test_views import THIS_MONTH, FormControls, lieu_of, post_data
from tests.utils import en_francais, examples

NOUVEAU = "/coop/cra/nouveau/"
# Enough examples to meet every kind of value, few enough to keep the file in a few seconds.
HTTP = settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# --- Values ----------------------------------------------------------------------------------------------

CARACTERES = st.characters(codec="utf-8")  # every character a browser can send, NUL and controls included
HOSTILES = [
    "",
    " ",
    "\x00",
    "1\x00",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://exemple.invalid";"clic")',
    "=1+1",
    "@SUM(A1)",
    "' OR 1=1 --",
    "{{ form }}",
    "%s%n",
    "-1",
    "0",
    "1.5",
    "1,5",
    "1e308",
    "NaN",
    "Infinity",
    "0x10",
    " 12 ",
    "١٢",  # Arabic-Indic digits: isdigit() but not a number for the rules
    "99999999999999999999999999",
    "9" * 5000,  # beyond Python's int() limit of 4,300 digits
    "é" * 300,
    "\u202eevil",
    "None",
    "[]",
]
DATES_IMPOSSIBLES = [
    "2026-02-30",
    "2025-02-29",
    "31/04/2025",
    "30/02/2024",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2025-13-01",
    "2025-1-1",
    "2020-11-16",  # the day before the programme's launch
    "2020-11-17",
    "12/03/25",
]
DATES = st.one_of(
    st.sampled_from(DATES_IMPOSSIBLES),
    st.dates().map(lambda day: day.isoformat()),
    st.dates().map(lambda day: f"{day.day:02d}/{day.month:02d}/{day.year:04d}"),
)
NOMBRES = st.one_of(
    st.integers(min_value=-3, max_value=120),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(),
).map(str)
CHOIX = {
    "canal": Canal.values,
    "activite": Activite.values,
    "duree": Duree.values,
    "themes": Theme.values,  # the legacy ones included: the form must refuse them
    "sous_themes": SousTheme.values,
    "duree_minutes": [str(minutes) for minutes in range(45, 500, 15)],
}
CHAMPS = list(CraForm.base_fields) + [name for name, _label in AGES + STATUTS]
CHAMPS += [f"redirection_{organisme.value}" for organisme in Organisme if organisme != Organisme.AUTRE]
CHAMPS += [f"autre_{quoi}_{index}" for quoi in ("nom", "nombre") for index in (1, 2, 3)]
CHAMPS_MULTIPLES = ("themes", "sous_themes")


def valeur(champ: str):
    """A value as a browser (or a hand-made request) sends it: one string, or several for any field."""
    une = st.one_of(
        st.sampled_from(HOSTILES),
        st.text(CARACTERES, max_size=30),
        NOMBRES,
        DATES,
        st.sampled_from(CHOIX.get(champ, ["1"])),
    )
    if champ in CHAMPS_MULTIPLES:
        return st.lists(st.one_of(st.sampled_from(CHOIX[champ]), une), max_size=4)
    return st.one_of(une, une, st.lists(une, min_size=2, max_size=3))


def repartition(total: int):
    """`total` people split into 5 buckets (ages or statuts)."""
    coupures = st.lists(st.integers(0, total), min_size=4, max_size=4).map(sorted)
    return coupures.map(lambda c: [b - a for a, b in zip([0, *c], [*c, total], strict=True)])


@st.composite
def cra_collectif(draw):
    """The fields of a valid workshop: participants split at random into ages and statuts."""
    total = draw(st.integers(1, 100))
    ages, statuts = draw(repartition(total)), draw(repartition(total))
    recurrents = draw(st.integers(0, total))
    suivi = draw(st.integers(0, total))
    return {
        "activite": "collectif",
        "nb_participants": str(total),
        "nb_participants_recurrents": str(recurrents),
        **{name: str(n) for (name, _label), n in zip(AGES, ages, strict=True)},
        **{name: str(n) for (name, _label), n in zip(STATUTS, statuts, strict=True)},
        "suivi_atelier": str(suivi),
    }


@st.composite
def soumissions(draw):
    """A valid CRA (individual or workshop) of which random fields are replaced by hostile values, some
    dropped, and the idempotency key chosen among fresh, replayed, another conseiller's and forged ones."""
    base = draw(st.one_of(st.just({}), cra_collectif()))
    remplaces = draw(
        st.lists(st.sampled_from(CHAMPS).flatmap(lambda c: st.tuples(st.just(c), valeur(c))), max_size=6)
    )
    absents = draw(st.sets(st.sampled_from(CHAMPS), max_size=3))
    cle = draw(st.sampled_from(["nouvelle", "rejouee", "d_un_autre", "forgee", "absente"]))
    cle_forgee = draw(st.sampled_from(["", "abc", "\x00", str(uuid.UUID(int=0)), "{" + "0" * 32 + "}"]))
    return {**base, **dict(remplaces)}, absents, cle, cle_forgee


def donnees_post(lieu, remplaces, absents):
    data = post_data(lieu, **remplaces)
    for name in absents:
        data.pop(name, None)
    return data


def envoye(data, name):
    """What the form reads for a single field: the last value sent, as for QueryDict.get."""
    value = data[name]
    return value[-1] if isinstance(value, list) else value


# --- The properties --------------------------------------------------------------------------------------


def comptes():
    return Cra.objects.count(), CraHistorique.objects.count(), CraRedirection.objects.count()


def donnees_du_cra(cra) -> dict:
    """A stored CRA in the shape the rules take, to judge it with the project's own rules."""
    data = {name: getattr(cra, name) for name in services.HISTORY_FIELDS if not name.endswith("_id")}
    data.update(
        permanence=cra.permanence_id,
        themes=cra.theme_keys,
        sous_themes=cra.sous_theme_keys,
        redirections=[
            {"organisme": r.organisme, "nom_autre": r.nom_autre, "nombre": r.nombre}
            for r in cra.redirections.all()
        ],
    )
    return data


def assert_respecte_les_regles(cra, conseiller):
    assert cra.conseiller_id == conseiller.pk
    cra.full_clean()  # the fields and the check constraints (sums of ages and statuts, récurrents…)
    context = cra_context_for(conseiller)
    check = check_cra(donnees_du_cra(cra), context)
    assert check.is_valid, check.errors
    assert cra.structure_id == context.structure_on(cra.date_accompagnement)
    assert sum(cra.ages.values()) == sum(cra.statuts.values()) == cra.nb_participants
    assert cra.nb_participants_recurrents <= cra.nb_participants
    assert cra.suivi_individuel + cra.suivi_atelier + cra.nb_redirections <= cra.nb_participants
    assert cra.nb_redirections == sum(r.nombre for r in cra.redirections.all())
    # SQLite stores a NUL character, PostgreSQL refuses it (a DataError): the rules must have refused it.
    textes = [cra.annotation, cra.nom_commune, *(r.nom_autre for r in cra.redirections.all())]
    assert not any("\x00" in texte for texte in textes), textes


def assert_formulaire_en_erreur(response, data):
    """The form is back: every error in French and shown, every typed value kept."""
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    messages = [message for messages in form.errors.values() for message in messages]
    assert messages, "une page sans erreur mais sans enregistrement"
    assert f"{len(messages)} erreur{'s' if len(messages) > 1 else ''} dans le formulaire" in html
    for message in messages:
        assert en_francais(message), message
        assert escape(message) in html, message

    controls = FormControls(html)
    for name in data:
        field = form.fields.get(name)
        if field is None or name in CHAMPS_MULTIPLES:
            continue
        value = envoye(data, name)
        if isinstance(field.widget, forms.widgets.Input):  # text, number, date and the hidden key
            assert controls.values[name] == value, name
        elif isinstance(field.widget, forms.RadioSelect):
            assert controls.checked.get(name, []) == ([value] if field.valid_value(value) else []), name
        elif isinstance(field.widget, forms.Select) and field.valid_value(value):
            assert controls.selected[name] == [value], name
    for name in CHAMPS_MULTIPLES:
        valides = {value for value in data.get(name, []) if form.fields[name].valid_value(value)}
        assert set(controls.checked.get(name, [])) == valides, name


def etat_du_cra(pk) -> tuple:
    cra = Cra.objects.get(pk=pk)
    redirections = sorted(cra.redirections.values_list("organisme", "nom_autre", "nombre"))
    return model_to_dict(cra), cra.updated_at, redirections


@pytest.fixture
def lieu(world):
    return lieu_of(world.alice)


@pytest.fixture
def alice(world, login_as):
    client = login_as(world.alice.user)
    # An exception in the view is raised in the test (never hidden behind a 500 page).
    assert client.raise_request_exception
    return client


@pytest.fixture
def cles(world, lieu):
    """The idempotency keys of a CRA of Alice (a replay) and of a CRA of Chloé (another conseiller's)."""
    bourg = lieu_of(
        world.chloe,
        nom="Médiathèque de Bourg",
        code_postal="01000",
        code_commune="01053",
        nom_commune="Bourg",
    )
    keys = {"rejouee": uuid.uuid4(), "d_un_autre": uuid.uuid4()}
    for conseiller, permanence, key in (
        (world.alice, lieu, keys["rejouee"]),
        (world.chloe, bourg, keys["d_un_autre"]),
    ):
        services.cra_create(
            conseiller=conseiller,
            user=conseiller.user,
            data=cra_data(date_accompagnement=THIS_MONTH, permanence=permanence.pk),
            idempotency_key=key,
        )
    return {name: str(key) for name, key in keys.items()}


@HTTP
@given(soumission=soumissions())
@example(soumission=({}, set(), "d_un_autre", ""))  # regression: another conseiller's form sent back
def test_the_new_cra_form_stores_a_cra_keeping_every_rule_or_nothing(world, lieu, cles, alice, soumission):
    remplaces, absents, cle, cle_forgee = soumission
    data = donnees_post(lieu, remplaces, absents)
    data["idempotency_key"] = {"nouvelle": str(uuid.uuid4()), "forgee": cle_forgee, **cles}.get(cle, "")
    if cle == "absente":
        del data["idempotency_key"]

    with transaction.atomic():  # each example starts from the same CRAs
        avant, anciens = comptes(), set(Cra.objects.values_list("pk", flat=True))
        response = alice.post(NOUVEAU, data)
        event(f"réponse {response.status_code}")

        if response.status_code == 302:
            pk = int(re.fullmatch(r"/coop/cra/(\d+)/enregistre/", response.url)[1])
            assert_respecte_les_regles(Cra.objects.get(pk=pk), world.alice)
            if pk in anciens:  # a replayed submission: its CRA again, nothing more
                assert cle == "rejouee" and comptes() == avant
            else:
                assert comptes()[:2] == (avant[0] + 1, avant[1] + 1)
        else:
            assert comptes() == avant
            assert_formulaire_en_erreur(response, data)
        transaction.set_rollback(True)


def test_another_conseillers_form_sent_back_twice_records_one_cra(world, lieu, cles, alice):
    """Regression: Chloé's idempotency key in Alice's form raised an IntegrityError (a 500)."""
    data = post_data(lieu, idempotency_key=cles["d_un_autre"])

    first, second = alice.post(NOUVEAU, data), alice.post(NOUVEAU, data)

    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Cra.objects.filter(conseiller=world.alice).count() == 2  # the fixture's, and this one
    assert Cra.objects.get(idempotency_key=cles["d_un_autre"]).conseiller == world.chloe


@HTTP
@given(soumission=soumissions())
def test_an_edit_leaves_a_cra_keeping_every_rule_or_changes_nothing(world, lieu, cles, alice, soumission):
    remplaces, absents, _cle, _cle_forgee = soumission
    data = donnees_post(lieu, remplaces, absents)
    pk = Cra.objects.get(idempotency_key=cles["rejouee"]).pk

    with transaction.atomic():
        avant, etat = comptes(), etat_du_cra(pk)
        response = alice.post(f"/coop/cra/{pk}/modifier/", data)
        event(f"réponse {response.status_code}")

        if response.status_code == 302:
            assert response.url == "/coop/cra/"
            assert_respecte_les_regles(Cra.objects.get(pk=pk), world.alice)
            assert comptes()[0] == avant[0] and comptes()[1] in (avant[1], avant[1] + 1)
        else:
            assert (comptes(), etat_du_cra(pk)) == (avant, etat)
            assert_formulaire_en_erreur(response, data)
        transaction.set_rollback(True)


# --- The service, with values of any Python type ---------------------------------------------------------

SCALAIRES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=120),
    st.integers(),
    st.floats(),
    st.text(CARACTERES, max_size=20),
    st.sampled_from(HOSTILES),
    st.dates(),
    st.datetimes(),
    st.sampled_from([*Canal.values, *Activite.values, *Duree.values, *Theme.values, *SousTheme.values]),
)
VALEURS_PYTHON = st.one_of(
    SCALAIRES, st.lists(SCALAIRES, max_size=3), st.dictionaries(st.text(max_size=5), SCALAIRES, max_size=2)
)
REDIRECTION = st.fixed_dictionaries(
    {
        "organisme": st.one_of(st.sampled_from(Organisme.values), SCALAIRES),
        "nombre": st.one_of(st.integers(min_value=-1, max_value=5), SCALAIRES),
    },
    optional={"nom_autre": st.one_of(st.text(CARACTERES, max_size=120), SCALAIRES)},
)
NOMS_REGLES = list(cra_data())


@st.composite
def collectif_type(draw):
    """A valid workshop as typed values (the form's output)."""
    return {name: int(value) if value.isdigit() else value for name, value in draw(cra_collectif()).items()}


@st.composite
def donnees_typees(draw):
    remplaces = draw(
        st.dictionaries(
            st.sampled_from([*NOMS_REGLES, "inconnu"]),
            st.one_of(VALEURS_PYTHON, st.lists(st.one_of(REDIRECTION, SCALAIRES), max_size=3)),
            max_size=5,
        )
    )
    absents = draw(st.sets(st.sampled_from(NOMS_REGLES), max_size=3))
    return draw(st.one_of(st.just({}), collectif_type())) | remplaces, absents


@settings(
    max_examples=examples(250), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(donnees=donnees_typees())
# Regressions: each of these raised a TypeError or an AttributeError instead of CraInvalid.
@example(donnees=({"date_accompagnement": datetime.datetime(2025, 3, 12, 23, 30)}, set()))
@example(donnees=({"canal": "domicile", "code_postal": 69100}, set()))
@example(donnees=({"permanence": [None]}, set()))
@example(donnees=({"themes": True}, set()))
@example(donnees=({"annotation": 1234}, set()))
@example(donnees=({"redirections": "0"}, set()))
@example(donnees=({"redirections": [{"organisme": "AUTRE", "nom_autre": 1, "nombre": 1}]}, set()))
# Regressions: PostgreSQL refused these with a DataError (SQLite stored them).
@example(donnees=({"annotation": "ab\x00cd"}, set()))
@example(
    donnees=(
        {"canal": "domicile", "code_postal": "69100", "code_commune": "69266", "nom_commune": "V\x00"},
        set(),
    )
)
@example(donnees=({"redirections": [{"organisme": "AUTRE", "nom_autre": "M\x00J", "nombre": 1}]}, set()))
def test_the_service_records_a_cra_keeping_every_rule_or_refuses_it_in_french(world, lieu, donnees):
    remplaces, absents = donnees
    data = cra_data(date_accompagnement=THIS_MONTH, permanence=lieu.pk) | remplaces
    for name in absents:
        data.pop(name, None)

    with transaction.atomic():
        avant = comptes()
        try:
            cra = services.cra_create(conseiller=world.alice, user=world.alice.user, data=data)
        except CraInvalid as invalid:
            event("refusé")
            messages = [message for messages in invalid.message_dict.values() for message in messages]
            assert messages and all(en_francais(message) for message in messages), messages
            assert comptes() == avant
        else:
            event("enregistré")
            assert_respecte_les_regles(cra, world.alice)
            assert comptes()[:2] == (avant[0] + 1, avant[1] + 1)
        transaction.set_rollback(True)
