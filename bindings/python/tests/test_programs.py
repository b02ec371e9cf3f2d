"""Programs written for confluent_kafka (tests/programs) run on kfk
(`import kfk as confluent_kafka`, `from kfk import ...`: the import lines
are the only change) and on confluent_kafka itself, each on its own
topic of the same broker; their outputs must be the same."""
import os
import subprocess
import sys

import pytest

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "programs")


def on_kfk(src):
    return (src.replace("import confluent_kafka\n", "import kfk as confluent_kafka\n")
               .replace("from confluent_kafka", "from kfk"))


def run(tmp_path, name, side, args):
    src = open(os.path.join(HERE, name)).read()
    path = tmp_path / ("%s-%s" % (side, name))
    path.write_text(on_kfk(src) if side == "kfk" else src)
    env = dict(os.environ)
    if side == "confluent":
        env.pop("LD_PRELOAD", None)
    r = subprocess.run([sys.executable, str(path)] + args, capture_output=True,
                       text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    return r.stdout


def both(tmp_path, name, args_of):
    pytest.importorskip("confluent_kafka")
    outs = {}
    for side in ("kfk", "confluent"):
        topic = "py-prog-%s-%s-%d" % (name.split(".")[0], side, os.getpid())
        outs[side] = run(tmp_path, name, side, args_of(topic)).replace(topic, "TOPIC")
    return outs


def test_producer_then_consumer_programs_print_the_same(tmp_path, bootstrap, admin):
    from kfk.admin import NewTopic
    outs = {}
    for side in ("kfk", "confluent"):
        topic = "py-prog-%s-%d" % (side, os.getpid())
        admin.create_topics([NewTopic(topic, 3, 1)])[topic].result(30)
        p = run(tmp_path, "producer.py", side, [bootstrap, topic])
        c = run(tmp_path, "consumer.py", side, [bootstrap, topic, topic + "-g", "9"])
        outs[side] = (p + c).replace(topic, "TOPIC")
    assert "Sent message: TOPIC[" in outs["kfk"]
    assert "second member: nothing left" in outs["kfk"]
    assert outs["kfk"].count("\n") == 9 + 1 + 9 + 1
    assert outs["kfk"] == outs["confluent"]


def test_admin_program_prints_the_same(tmp_path, bootstrap):
    outs = both(tmp_path, "admin_cdd.py", lambda topic: [bootstrap, topic])
    assert outs["kfk"] == ("created TOPIC\npartitions [0, 1] leaders [1, 1]\n"
                           "retention.ms 3600000 cleanup.policy delete\n"
                           "create again: TOPIC_ALREADY_EXISTS\ndeleted TOPIC\n")
    assert outs["kfk"] == outs["confluent"]
