"""The command line: the pipe filter, --explain/--json/--check, the subcommands, and one-sentence errors."""

from __future__ import annotations

import argparse
import io
import json
import os
import select
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import require_browser

import normalizer
from normalizer import cli, normalize

DIRTY = "sappers from КНДР in Kiev «x»"


def run(monkeypatch, capsysbinary, argv: list[str], stdin: bytes = b"") -> tuple[int, bytes, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = cli.main(argv)
    out, err = capsysbinary.readouterr()
    return code, out, err.decode()


def test_the_filter_cleans_stdin_keeping_line_endings_and_the_bom(monkeypatch, capsysbinary):
    data = b"\xef\xbb\xbf" + DIRTY.encode() + b"\r\nplain \"straight\" English\nlast line in Kiev"
    code, out, _ = run(monkeypatch, capsysbinary, [], data)
    assert code == 0
    assert out == (b"\xef\xbb\xbf" + normalize(DIRTY).text.encode() + b"\r\nplain \"straight\" English\n"
                   b"last line in Kyiv")


def test_the_filter_streams_line_by_line():
    proc = subprocess.Popen([sys.executable, "-m", "normalizer.cli"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        proc.stdin.write(b"in Kiev\n")
        proc.stdin.flush()
        assert select.select([proc.stdout], [], [], 30)[0], "no output before the input ended"
        assert proc.stdout.readline() == b"in Kyiv\n"
        proc.stdin.write(b"done\n")
        proc.stdin.close()
        assert proc.stdout.read() == b"done\n"
        assert proc.wait(30) == 0
    finally:
        proc.kill()


def test_explain_names_line_column_and_rule(monkeypatch, capsysbinary, tmp_path):
    path = tmp_path / "in.txt"
    path.write_text("clean line\n" + DIRTY + "\n", encoding="utf-8")
    code, out, _ = run(monkeypatch, capsysbinary, ["--explain", str(path)])
    assert code == 0
    lines = out.decode().splitlines()
    assert lines[0] == f"{path}:2:14: 'КНДР' → 'DPRK'  [gazetteer.acronym.dprk, translation]"
    assert len(lines) == len(normalize(DIRTY).edits)


def test_json_prints_one_result_per_line(monkeypatch, capsysbinary):
    code, out, _ = run(monkeypatch, capsysbinary, ["--json", "-"], f"{DIRTY}\nplain\n".encode())
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 2
    assert rows[0]["text"] == normalize(DIRTY).text and rows[0]["edits"][0]["rule"] == "gazetteer.acronym.dprk"
    assert rows[1]["edits"] == [] and rows[1]["ruleset"]


def test_check_fails_on_text_that_is_not_normalised(monkeypatch, capsysbinary, corpus):
    reference = corpus / "wmt21-news-systems/references/newstest2021.ru-en.ref.A.en"
    clean_lines = [t for t in reference.read_text(encoding="utf-8").splitlines()[:200] if not normalize(t).edits]
    code, out, _ = run(monkeypatch, capsysbinary, ["--check"], "\n".join(clean_lines).encode())
    assert (code, out) == (0, b"")
    code, out, err = run(monkeypatch, capsysbinary, ["--check"], DIRTY.encode())
    assert code == 1 and b"DPRK" in out and "not normalised" in err


def test_profile_lang_scheme_and_rules_reach_the_engine(monkeypatch, capsysbinary):
    text = "the village of Покровское".encode()
    assert run(monkeypatch, capsysbinary, [], text)[1] == b"the village of Pokrovskoye"
    assert run(monkeypatch, capsysbinary, ["--lang", "ru", "--scheme", "iso9"], text)[1] == b"the village of Pokrovskoe"
    assert run(monkeypatch, capsysbinary, ["--profile", "minimal"], text)[1] == text


def test_a_users_rules_folder_extends_the_gazetteer(monkeypatch, capsysbinary, tmp_path):
    (tmp_path / "gazetteer").mkdir()
    (tmp_path / "gazetteer" / "newsroom.toml").write_text(
        'source = "house style"\n\n[[entries]]\nid = "gazetteer.acronym.house-tass"\nkind = "acronym"\n'
        'canonical = "TASS"\nsource = "house style"\nforms = { ru = ["ТАСС"] }\n', encoding="utf-8")
    code, out, err = run(monkeypatch, capsysbinary, ["--rules", str(tmp_path)], "according to ТАСС".encode())
    assert (code, out) == (0, b"according to TASS"), err
    assert run(monkeypatch, capsysbinary, ["rules", "check", str(tmp_path)])[0] == 0


def test_transliterate_subcommand(monkeypatch, capsysbinary):
    assert run(monkeypatch, capsysbinary, ["transliterate", "--lang", "uk", "Згурський"])[1] == b"Zghurskyi\n"
    assert run(monkeypatch, capsysbinary, ["transliterate", "--lang", "ru"], "Покровское\n".encode())[1] == \
        b"Pokrovskoye\n"


def test_transliterate_takes_a_users_rules_folder(monkeypatch, capsysbinary, tmp_path):
    (tmp_path / "translit").mkdir()
    (tmp_path / "translit" / "sr-house.toml").write_text(
        'id = "translit.sr.house"\nlang = "sr"\nscheme = "house"\nname = "house style"\nsource = "our guide"\n'
        'examples = [["аб", "ab"]]\n\n[letters]\n"а" = "a"\n"б" = "b"\n', encoding="utf-8")
    argv = ["transliterate", "--lang", "sr", "--scheme", "house", "баба"]
    assert run(monkeypatch, capsysbinary, [*argv, "--rules", str(tmp_path)])[:2] == (0, b"baba\n")
    assert "unknown scheme 'house'" in run(monkeypatch, capsysbinary, argv)[2]


def test_serve_hands_port_and_workers_to_the_web_server(monkeypatch, capsysbinary):
    import normalizer.web

    calls = []
    monkeypatch.setattr(normalizer.web, "serve", lambda **kw: calls.append(kw))
    assert run(monkeypatch, capsysbinary, ["serve", "--port", "8123", "--workers", "3"])[0] == 0
    assert calls == [{"port": 8123, "workers": 3, "bind": "127.0.0.1", "RULES": [], "PROFILE": "default"}]


def test_rules_list_counts_each_file(monkeypatch, capsysbinary):
    code, out, err = run(monkeypatch, capsysbinary, ["rules", "list"])
    rows = {line.split("\t")[0]: int(line.split("\t")[1]) for line in out.decode().splitlines()}
    assert code == 0 and rows["gazetteer/acronyms"] > 10 and "translit/uk-kmu-2010" in rows
    assert "files, ruleset" in err


def test_rules_check_names_the_file_and_line_of_a_broken_rule(monkeypatch, capsysbinary, tmp_path):
    (tmp_path / "gazetteer").mkdir()
    bad = tmp_path / "gazetteer" / "mine.toml"
    bad.write_text('source = "my newsroom"\n\n[[entries]\nid = 1\n', encoding="utf-8")
    code, _, err = run(monkeypatch, capsysbinary, ["rules", "check", str(tmp_path)])
    assert code == 2 and f"{bad}:3:" in err and err.count("\n") == 1


@pytest.mark.parametrize("argv, message", [
    (["missing.txt"], "No such file or directory: missing.txt"),
    (["frobnicate"], "unknown command 'frobnicate' (and no such file); commands: clean, transliterate, serve, rules"),
    (["clen", "src", "--out", "dst"], "unknown command 'clen' (and no such file); did you mean 'clean'?"),
    (["--profile", "nope"], "unknown profile 'nope'"),
    (["--lang", "ru", "--scheme", "nope"], "unknown scheme 'nope' for language 'ru'"),
    (["--scheme", "iso9"], "--scheme needs --lang"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["transliterate", "--lang", "xx", "a"], "unknown language 'xx'"),
    (["clean", "missing-dir", "--out", "x"], "missing-dir does not exist"),
    (["clean", ".", "--out", "/proc/no/such/out"], "cannot write /proc/no/such/out"),
    (["clean", "."], "the following arguments are required: --out"),
])
def test_bad_use_gets_one_sentence_and_a_nonzero_exit(monkeypatch, capsysbinary, argv, message):
    code, out, err = run(monkeypatch, capsysbinary, argv)
    assert code == 2 and out == b""
    assert message in err and err.startswith("normalizer") and err.count("\n") == 1 and "Traceback" not in err


def test_clean_writes_the_report_and_a_summary(monkeypatch, capsysbinary, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": DIRTY}) + "\n" + json.dumps({"text": "plain"}) + "\n", encoding="utf-8")
    code, _, err = run(monkeypatch, capsysbinary, ["clean", str(src), "--out", str(tmp_path / "out.jsonl"),
                                                   "--report", str(tmp_path / "r.json")])
    report = json.loads((tmp_path / "r.json").read_text())
    assert code == 0 and report["records"] == {"in": 2, "out": 2, "changed": 1}
    assert report["edits"]["by_category"] == {"punctuation": 2, "translation": 2}
    assert "2 records in 1 files, 1 changed (4 edits)" in err


def test_errors_never_show_a_traceback_from_the_installed_command(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "normalizer.cli", "clean", str(tmp_path / "nope.zip"), "--out",
                           str(tmp_path / "o.zip")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr == f"normalizer: {tmp_path / 'nope.zip'} does not exist\n"


REPO = Path(__file__).resolve().parent.parent


def test_make_test_never_installs_system_packages():
    plan = subprocess.run(["make", "-n", "-B", "test"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert "pytest" in plan and "apt-get" not in plan and "sudo" not in plan


def test_make_browser_is_a_real_target_that_installs_debians_chromium():
    plan = subprocess.run(["make", "-n", "-B", "browser"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert "apt-get install -y chromium chromium-driver" in plan


def test_ci_installs_the_browser_then_runs_make_test():
    steps = [line for line in (REPO / ".ci/run").read_text().splitlines() if line and not line.startswith("#")]
    assert steps[-2:] == ["apt-get update && apt-get install -y chromium chromium-driver", "make test"]


def test_a_missing_browser_skips_naming_make_browser_but_fails_under_ci(tmp_path):
    absent = [tmp_path / "chromium", tmp_path / "chromedriver"]
    with pytest.raises(pytest.skip.Exception, match="make browser"):
        require_browser(absent, {})
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_browser(absent, {"CI": "true"})
    require_browser([tmp_path], {"CI": "true"})


def test_dask_is_an_extra_not_a_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not [d for d in project["dependencies"] if d.startswith(("dask", "distributed"))]
    assert project["optional-dependencies"]["dask"] == ["dask[distributed]>=2024.4"]
    plan = subprocess.run(["make", "-n", "-B", "setup"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert "pip install --quiet -e '.[dev,bench,dask]'" in plan


def test_the_normal_path_never_imports_dask():
    code = ("import sys, normalizer, normalizer.cli, normalizer.clean, normalizer.web; normalizer.normalize('x'); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed', 'tornado'}))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


def test_dask_without_the_extra_is_one_line_naming_it(monkeypatch, capsysbinary, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)
    (tmp_path / "in").mkdir()
    code, out, err = run(monkeypatch, capsysbinary, ["clean", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                                                     "--dask", "tcp://127.0.0.1:9"])
    assert (code, out) == (2, b"")
    assert err == "normalizer: Dask is not installed (clean --dask needs it): pip install 'normalizer[dask]'\n"


def test_version(monkeypatch, capsysbinary):
    assert run(monkeypatch, capsysbinary, ["--version"])[:2] == (0, f"normalizer {normalizer.__version__}\n".encode())


def test_python_dash_m_normalizer_is_the_command_line():
    done = subprocess.run([sys.executable, "-m", "normalizer", "--explain"], input="in Kiev\n", capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and "'Kiev' → 'Kyiv'" in done.stdout


def test_help_lists_every_command_with_one_line(monkeypatch, capsysbinary):
    code, out, _ = run(monkeypatch, capsysbinary, ["--help"])
    lines = out.decode().splitlines()
    assert code == 0 and lines[0] == "usage: normalizer [options] [FILE|-]"
    for name, command in cli.COMMANDS.items():
        assert [line for line in lines if line.split()[:1] == [name]] == [f"  {name:<15}{command.summary}"]


def every_parser(monkeypatch, capsysbinary) -> dict[str, argparse.ArgumentParser]:
    """The argument parser of the filter and of each command, by prog, caught as it is about to parse."""
    parsers = {}

    def capture(parser, args=None, namespace=None):
        parsers[parser.prog] = parser
        raise cli._Done(0)

    monkeypatch.setattr(cli._Parser, "parse_args", capture)
    for argv in ([], *([name] for name in cli.COMMANDS)):
        assert run(monkeypatch, capsysbinary, argv)[0] == 0
    monkeypatch.undo()
    assert len(parsers) == 1 + len(cli.COMMANDS)
    return parsers


def test_every_option_of_every_command_has_help(monkeypatch, capsysbinary):
    parsers = every_parser(monkeypatch, capsysbinary).values()
    assert [(p.prog, a.dest) for p in parsers for a in p._actions if not a.help] == []


def test_a_file_named_like_a_word_is_read_and_one_named_like_a_command_needs_a_path(monkeypatch, capsysbinary,
                                                                                   tmp_path):
    monkeypatch.chdir(tmp_path)
    for name in ("news", "clean"):
        (tmp_path / name).write_text("in Kiev\n", encoding="utf-8")
    assert run(monkeypatch, capsysbinary, ["news"])[:2] == (0, b"in Kyiv\n")
    assert run(monkeypatch, capsysbinary, ["./clean"])[:2] == (0, b"in Kyiv\n")
    assert "the following arguments are required" in run(monkeypatch, capsysbinary, ["clean"])[2]


def readme_section(heading: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_readme_command_line_session_prints_what_it_shows(tmp_path):
    session = readme_section("Command line").split("```sh\n", 1)[1].split("```", 1)[0]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "PYTHONIOENCODING": "utf-8"}
    for step in session.split("$ ")[1:]:
        command, _, shown = step.partition("\n")
        done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=120)
        assert done.stdout == shown, command


README_OPTIONS = {"--profile": 1, "--lang": 2, "--scheme": 2, "--rules": 3}


def test_the_readme_says_exactly_which_command_takes_which_engine_option(monkeypatch, capsysbinary):
    rows = [line.split(" | ") for line in readme_section("Command line").splitlines()
            if line.startswith("| `normalizer")]
    parsers = every_parser(monkeypatch, capsysbinary)
    assert len(rows) == len(parsers)
    for row in rows:
        words = row[0].split("`")[1].split()
        prog = " ".join(words[:2]) if words[1] in cli.COMMANDS else "normalizer"
        options = {o for a in parsers[prog]._actions for o in a.option_strings}
        assert {o for o, column in README_OPTIONS.items() if row[column].startswith("yes")} == \
            set(README_OPTIONS) & options, row[0]


def test_every_command_line_the_readme_shows_is_accepted(monkeypatch, capsysbinary):
    parse = argparse.ArgumentParser.parse_args

    def parse_only(parser, args=None, namespace=None):
        parse(parser, args, namespace)
        raise cli._Done(0)

    monkeypatch.setattr(cli._Parser, "parse_args", parse_only)
    blocks = [block.split("```", 1)[0] for block in readme_section("Command line").split("```sh\n")[1:]]
    lines = [line.removeprefix("$ ") for block in blocks for line in block.splitlines()]
    commands = [shlex.split(line.split(";")[0], comments=True) for line in lines if line.startswith("normalizer ")]
    assert len(commands) > 15
    for argv in commands:
        assert run(monkeypatch, capsysbinary, argv[1:])[0] == (2 if "frobnicate" in argv else 0), argv
