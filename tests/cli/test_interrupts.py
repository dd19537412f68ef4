"""A Ctrl-C that lands while a finalizer (`__del__`) runs still stops iac (issue 12, defect 4).

Python raises KeyboardInterrupt in whatever code runs when SIGINT arrives; inside a finalizer it
cannot propagate, so Python prints "Exception ignored in ..." with a traceback and goes on. cfn-lint
makes and drops many objects with finalizers (the regex module's), so a Ctrl-C during lint was
regularly lost this way: the synth went on for seconds and then succeeded. Each test runs the real
`iac synth` over an app whose finalizer sends the process SIGINT and is still running when it lands.
"""

from __future__ import annotations

import os

import pytest

FIRST_APP = """
    from iac import App, CfnResource, Stack

    app = App()
    CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue")
"""

FINALIZER_APP = """
    import gc
    import os
    import signal

    from iac import App, CfnResource, Construct, Stack


    class CollectsWhenValidated(Construct):
        def validate(self):
            gc.collect()  # a full pass of the collector, in the middle of the synth
            return []


    class CtrlCWhileFinalized:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(100_000):  # the KeyboardInterrupt is raised in here
                pass


    app = App()
    CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue")
    CfnResource(Stack(app, "Extra"), "Topic", type="AWS::SNS::Topic")
    {drop}
"""

DROPS = {
    # the last reference goes at once: the finalizer runs while the app is loaded
    "refcount": "CtrlCWhileFinalized()",
    # a reference cycle: the garbage collector finalizes it later, here during synthesis (when a full pass
    # runs is the collector's business: iac.synth.collector files a synth's objects with the long-lived ones)
    "cycle": "cycle = CtrlCWhileFinalized()\ncycle.me = cycle\ndel cycle\nCollectsWhenValidated(app, 'Collects')",
}


@pytest.mark.parametrize("drop", list(DROPS))
def test_a_ctrl_c_swallowed_by_a_finalizer_still_interrupts_the_synth(tmp_path, write_app, run_iac, tree_digest,
                                                                     drop):
    write_app(FIRST_APP)
    assert run_iac("synth", "--no-lint").returncode == 0
    before = tree_digest(tmp_path / "iac.out")
    write_app(FINALIZER_APP.format(drop=DROPS[drop].replace("\n", "\n    ")))

    result = run_iac("synth")

    assert result.returncode == 130, result.stderr
    assert result.stderr.strip() == "interrupted", result.stderr
    assert tree_digest(tmp_path / "iac.out") == before
    assert sorted(os.listdir(tmp_path)) == ["app.py", "iac.out"]
