"""The rule that decides when a faust partition is stuck short of its end and must be
sought back to its committed offset (re-delivered), and when it must be left alone."""
from __future__ import annotations

from shared.kafka.faust_stall import stalled_partitions

P3, P4 = ("postloan.monitoring.v1", 3), ("postloan.monitoring.v1", 4)


def test_a_partition_behind_its_end_whose_commit_did_not_move_while_idle_is_stalled() -> None:
    assert stalled_partitions({P3: 31, P4: 84}, {P3: 31, P4: 84}, {P3: 34, P4: 84},
                              idle=True) == {P3}


def test_nothing_is_stalled_while_a_record_is_in_hand_or_was_finished() -> None:
    assert stalled_partitions({P3: 31}, {P3: 31}, {P3: 34}, idle=False) == set()


def test_a_partition_whose_commit_moved_since_the_last_look_is_not_stalled() -> None:
    assert stalled_partitions({P3: 30}, {P3: 31}, {P3: 34}, idle=True) == set()


def test_a_partition_seen_for_the_first_time_is_not_stalled_yet() -> None:
    assert stalled_partitions({}, {P3: 31}, {P3: 34}, idle=True) == set()


def test_a_partition_at_its_end_is_not_stalled() -> None:
    assert stalled_partitions({P3: 34}, {P3: 34}, {P3: 34}, idle=True) == set()
