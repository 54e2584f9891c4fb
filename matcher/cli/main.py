"""The ``matcher`` command: one Typer app, command groups registered from their modules."""

from __future__ import annotations

import typer

from matcher.cli import (
    accounts,
    chain,
    demo,
    events,
    index,
    matching,
    parse,
    registry,
    serve,
    shards,
    tiers,
    train,
)

app = typer.Typer(
    name="matcher",
    help="产业园区供需对接引擎：企业登记、双向匹配、产业链、梯度培育与对接会。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("init")(registry.init)
app.command("import")(registry.import_)
app.command("export")(registry.export_)
app.command("demo")(demo.demo)
app.command("parse")(parse.parse)
app.command("match")(matching.match)
app.command("recommend")(matching.recommend)
app.command("eval")(matching.evaluate)
app.command("train-encoder")(train.train_encoder)
app.command("train-ranker")(train.train_ranker)
index.app.command("build")(shards.build)
index.app.command("serve")(shards.serve)
app.add_typer(index.app, name="index")
app.add_typer(tiers.app, name="tiers")
app.add_typer(events.app, name="event")
app.add_typer(chain.app, name="chain")
app.command("serve")(serve.serve)
app.add_typer(accounts.app, name="accounts")


if __name__ == "__main__":
    app()
