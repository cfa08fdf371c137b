"""A live relay group end to end: driadd follows mx-sim over gNMI (mTLS and a
username/password from the environment) and probes an amt-responder as its
gateway; every scenario asserts the exact AMTRELAY set that dig gets.

    python3 test_live.py --driadd D --mx-sim M --amt-responder A

Timings: hold_up_s 2, stale_after_ms 1000, degraded_ttl 1, ttl 30. Every wait
is bounded; dig is polled every 50 ms. Overload mode gateway-first and the
authentication failures are in test_live_auth.py."""

import re
import time

import driad_harness as h
import live_common as lc
from live_common import GATEWAY_ONLY, HOLD_UP_S, MX_FIRST, MX_ONLY, SPILL, STALE_AFTER_MS

FAST = 1.0  # a fault must reach the answer within this many seconds


class LiveGroupTest(lc.LiveTestCase):
    """One driadd, mx-sim and amt-responder for the class; each test starts
    from a healthy, proven MX (MX first) and leaves whatever it broke to setUp."""

    @classmethod
    def setUpClass(cls):
        cls.start_peers()
        cls.started = time.monotonic()
        cls.driad = lc.start_driad(lc.live_config(cls.mx, cls.responder, cls.pki.tls()))
        cls.addClassCleanup(cls.driad.cleanup)

    def setUp(self):
        for command in ("resume", "refuse off", "oper-status UP", "anycast present", "tunnels 10"):
            self.mx.control(command)
        self.responder.control("mode ok")
        self.wait_answer(MX_FIRST, within=HOLD_UP_S + 4)

    def tearDown(self):
        self.assertIsNone(self.driad.proc.poll(), f"driadd exited\n{self.context()}")

    def test_01_start_gateway_only_then_mx_first_after_hold_up(self):
        # setUp waited for MX first; it must not have come before the MX was
        # proven for hold_up_s after driadd started.
        log = self.driad.log()
        self.assertRegex(log, r"decision east: .*-> gateway_only", log)
        self.assertRegex(log, r"decision east: gateway_only -> mx_first", log)
        self.assertNotIn(lc.PASSWORD, log)
        # Steady state: the normal TTL once the answer has settled (hold_up_s
        # after the last change), the degraded one before.
        since = time.monotonic()
        while True:
            answer = self.answer()
            self.assertEqual(answer.rdatas, MX_FIRST)
            if answer.ttls == [lc.TTL]:
                break
            self.assertEqual(answer.ttls, [lc.DEGRADED_TTL])
            self.assertLess(time.monotonic() - since, HOLD_UP_S + 1.5, self.context())
            time.sleep(self.POLL)

    def test_oper_status_down_is_fast_and_up_is_slow(self):
        sent = self.mx_control("oper-status DOWN")
        took, answer = self.wait_answer(GATEWAY_ONLY, within=FAST, since=sent)
        self.assertEqual(answer.ttls, [lc.DEGRADED_TTL])
        self.assertIsNotNone(self.driad.wait_log(r"decision east: mx_first -> gateway_only", 1.0))
        # Recovery: gateway only for the whole hold-up, then MX first.
        sent = self.mx_control("oper-status UP")
        self.hold_answer(GATEWAY_ONLY, until=sent + HOLD_UP_S - 0.15)
        took, answer = self.wait_answer(MX_FIRST, within=HOLD_UP_S + FAST, since=sent)
        self.assertGreaterEqual(took, HOLD_UP_S - 0.15)
        self.assertEqual(answer.ttls, [lc.DEGRADED_TTL])

    def test_flap_during_hold_up_restarts_it(self):
        sent = self.mx_control("oper-status DOWN")
        self.wait_answer(GATEWAY_ONLY, within=FAST, since=sent)
        self.mx_control("oper-status UP")
        time.sleep(HOLD_UP_S / 2)
        sent = self.mx_control("oper-status DOWN")
        self.hold_answer(GATEWAY_ONLY, until=sent + 0.3)
        sent = self.mx_control("oper-status UP")
        self.hold_answer(GATEWAY_ONLY, until=sent + HOLD_UP_S - 0.15)
        self.wait_answer(MX_FIRST, within=HOLD_UP_S + FAST, since=sent)

    def test_anycast_withdrawn_is_unhealthy(self):
        sent = self.mx_control("anycast absent")
        self.wait_answer(GATEWAY_ONLY, within=FAST, since=sent)
        sent = self.mx_control("anycast present")
        self.hold_answer(GATEWAY_ONLY, until=sent + HOLD_UP_S - 0.15)
        self.wait_answer(MX_FIRST, within=HOLD_UP_S + FAST, since=sent)

    def test_overload_spills_with_hysteresis(self):
        sent = self.mx_control("tunnels 90")  # 0.90 of 100 >= high watermark 0.85
        _, answer = self.wait_answer(SPILL, within=FAST, since=sent)
        self.assertEqual(answer.ttls, [lc.DEGRADED_TTL])
        self.assertIsNotNone(self.driad.wait_log(r"decision east: mx_first -> spill", 1.0))
        sent = self.mx_control("tunnels 75")  # under the high watermark, not under the low one
        self.hold_answer(SPILL, until=sent + 0.5)
        sent = self.mx_control("tunnels 10")  # under low watermark 0.70: MX first again at once
        self.wait_answer(MX_FIRST, within=FAST, since=sent)
        # Exactly at the high watermark counts as overloaded.
        sent = self.mx_control("tunnels 85")
        self.wait_answer(SPILL, within=FAST, since=sent)
        sent = self.mx_control("tunnels 70")  # at the low watermark: still overloaded
        self.hold_answer(SPILL, until=sent + 0.5)
        sent = self.mx_control("tunnels 69")
        self.wait_answer(MX_FIRST, within=FAST, since=sent)

    def test_stall_goes_stale_then_resume_recovers_after_hold_up(self):
        sent = self.mx_control("stall")
        # Not before stale_after (heartbeats are every stale_after/3 and stop).
        self.hold_answer(MX_FIRST, until=sent + STALE_AFTER_MS / 1000 - 0.4)
        took, answer = self.wait_answer(GATEWAY_ONLY, within=STALE_AFTER_MS / 1000 + FAST, since=sent)
        self.assertEqual(answer.ttls, [lc.DEGRADED_TTL])
        self.assertIsNotNone(self.driad.wait_log(r"decision east: mx_first -> gateway_only \(MX stale", 1.0),
                             self.context())
        sent = self.mx_control("resume")
        self.hold_answer(GATEWAY_ONLY, until=sent + HOLD_UP_S - 0.15)
        self.wait_answer(MX_FIRST, within=HOLD_UP_S + FAST, since=sent)

    def test_drop_reconnects_and_recovers(self):
        subscribed = len(re.findall(r"subscribing", self.driad.log()))
        sent = self.mx_control("drop")
        self.wait_answer(GATEWAY_ONLY, within=FAST, since=sent)
        # driadd reconnects by itself (jittered backoff), then waits out the hold-up.
        took, _ = self.wait_answer(MX_FIRST, within=HOLD_UP_S + 4, since=sent)
        self.assertGreaterEqual(took, HOLD_UP_S - 0.15)
        self.assertGreater(len(re.findall(r"subscribing", self.driad.log())), subscribed, self.context())
        state = self.mx.control("state")[0]
        self.assertIn("streams=1", state)

    def test_refused_resubscribe_stays_gateway_only(self):
        self.mx_control("refuse on")
        sent = self.mx_control("drop")
        self.wait_answer(GATEWAY_ONLY, within=FAST, since=sent)
        # Longer than the hold-up: a refused MX is never proven.
        self.hold_answer(GATEWAY_ONLY, until=sent + HOLD_UP_S + 0.5)
        self.assertRegex(self.driad.log(), r"mx feed east: .*Subscribe: UNAVAILABLE")
        sent = self.mx_control("refuse off")
        # The next retry (backoff at most a few seconds by now), then the hold-up.
        took, _ = self.wait_answer(MX_FIRST, within=HOLD_UP_S + 5, since=sent)
        self.assertGreaterEqual(took, HOLD_UP_S - 0.15)

    def test_every_gateway_down_mx_only(self):
        self.responder.control("mode silent")
        # Two missed probes (200 ms interval, 100 ms timeout) mark it down.
        self.wait_answer(MX_ONLY, within=2.0)
        self.assertIsNotNone(self.driad.wait_log(r"decision east: mx_first -> mx_only", 1.0), self.context())
        # MX down as well: fail static, the last answer, degraded TTL.
        sent = self.mx_control("oper-status DOWN")
        self.assertIsNotNone(self.driad.wait_log(r"decision east: mx_only -> fail_static", FAST),
                             self.context())
        answer = self.answer()
        self.assertEqual(answer.rdatas, MX_ONLY)
        self.assertEqual(answer.ttls, [lc.DEGRADED_TTL])
        self.assertLess(time.monotonic() - sent, FAST + 0.5)
        # The gateway answers again: gateway only (the MX is still down).
        self.responder.control("mode ok")
        self.wait_answer(GATEWAY_ONLY, within=2.0)


if __name__ == "__main__":
    h.main()
