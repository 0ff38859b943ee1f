"""The outbox relay's batches on the in-memory bus."""
import uuid

import pytest


def test_a_batch_that_fails_midway_marks_only_what_went_out_before_the_failure(tmp_path):
    """The relay hands a whole batch to the bus; whatever the bus confirmed before it failed
    is marked sent, the rest stays pending and goes at the next flush."""
    from shared.bus import Bus
    from tests.support.notes_service import build

    class FailsOnce(Bus):
        fail_at: int | None = 3
        published = 0

        def publish(self, envelope):
            if self.published == self.fail_at:
                self.fail_at = None
                raise ConnectionError("the broker went away mid-batch")
            super().publish(envelope)
            self.published += 1

    bus = FailsOnce("memory://", exchange=f"gwh.test.{uuid.uuid4().hex[:8]}")
    svc = build(f"sqlite:///{tmp_path / 'notes.db'}", bus)
    ids = svc["emit_visits"](5)
    with pytest.raises(ConnectionError):
        svc["relay"].flush()
    assert svc["relay"].pending() == 2
    assert svc["relay"].flush() == 2
    svc["consumer"].pump()
    assert svc["recorded"]() == ids


def test_confirms_count_a_multiple_answer_only_for_the_tags_still_waiting():
    from shared.bus import Confirms
    confirms = Confirms()
    confirms.expect_from(11)
    ack, nack = confirms.answered(confirms.acked), confirms.answered(confirms.nacked)
    nack(13, False)            # a nack may come before the acks of earlier messages
    ack(15, True)              # every tag up to 15 still waiting: 11, 12, 14, 15
    assert (confirms.acked, confirms.nacked) == ({11, 12, 14, 15}, {13})
    assert not confirms.answered_all(11, 16)
    nack(16, True)
    assert confirms.answered_all(11, 16) and confirms.nacked == {13, 16}
    confirms.expect_from(17)
    assert confirms.acked == confirms.nacked == set()
