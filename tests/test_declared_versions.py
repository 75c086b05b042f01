"""The versions the project declares are the versions it tests.

pyproject.toml's ``[project] dependencies`` declare lib's floors and requirements.txt repeats
them for readers (with the test tools' own); ``.ci/oldest-constraints.txt`` pins each floor for
``make test-compat``. A floor raised in one file only would be a promise no test keeps.
"""

from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11; pytest brings tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
REQUIREMENTS = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
OLDEST = (ROOT / ".ci" / "oldest-constraints.txt").read_text(encoding="utf-8").splitlines()


def versions(lines, operator):
    """Package name -> the version its ``operator`` specifier names, for the lines with one."""
    found = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):  # comments and options such as -e .
            continue
        requirement = Requirement(line)
        for spec in requirement.specifier:
            if spec.operator == operator:
                found[canonicalize_name(requirement.name)] = Version(spec.version)
    return found


def major_minor(version):
    return (version.release + (0,))[:2]


def test_oldest_constraints_pin_the_declared_floors():
    lib_floors = versions(PYPROJECT["project"]["dependencies"], ">=")
    declared = {**versions(REQUIREMENTS, ">="), **lib_floors}
    pinned = versions(OLDEST, "==")
    missing = sorted(lib_floors.keys() - pinned.keys())
    assert not missing, f"floors not pinned in oldest-constraints.txt: {missing}"
    disagree = {
        name: f"pinned {pin}, declared >={declared.get(name)}"
        for name, pin in pinned.items()
        if name not in declared or major_minor(pin) != major_minor(declared[name])
    }
    assert not disagree, f"oldest-constraints.txt disagrees with the declared floors: {disagree}"


def test_requirements_txt_repeats_pyprojects_floors():
    in_pyproject = versions(PYPROJECT["project"]["dependencies"], ">=")
    in_requirements = versions(REQUIREMENTS, ">=")
    differ = {
        name: f"pyproject.toml >={in_pyproject[name]}, requirements.txt >={in_requirements[name]}"
        for name in in_pyproject.keys() & in_requirements.keys()
        if in_pyproject[name] != in_requirements[name]
    }
    assert not differ, f"different floors for the same package: {differ}"


def test_the_oldest_environment_uses_the_lowest_declared_python():
    floor = Version(PYPROJECT["project"]["requires-python"].removeprefix(">="))
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(ln for ln in makefile.splitlines() if ln.startswith("PYTHONS"))
    candidates = [Version(v) for v in line.split(":=")[1].split()]
    assert candidates[0] == floor, f"Makefile tries {candidates[0]} first, requires-python {floor}"
    assert f"sys.version_info < ({floor.major}, {floor.minor})" in makefile
