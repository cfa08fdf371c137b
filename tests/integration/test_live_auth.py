"""Live groups, continued: overload mode gateway-first, and an MX that driadd
must never advertise because it cannot authenticate to it (wrong password; a
client certificate from a CA the MX does not trust). One mx-sim (mTLS, with a
username/password) serves all three driadd instances.

    python3 test_live_auth.py --driadd D --mx-sim M --amt-responder A"""

import re
import time

import driad_harness as h
import live_common as lc
from live_common import GATEWAY_FIRST, GATEWAY_ONLY, HOLD_UP_S, MX_FIRST

FAST = 1.0
WRONG_PASSWORD = "not-the-Pa55word-42"
# Long enough for the MX to have been proven (hold-up) had it been accepted,
# plus a reconnect or two.
NEVER_WINDOW = HOLD_UP_S + 1.5


class LiveAuthTest(lc.LiveTestCase):

    @classmethod
    def setUpClass(cls):
        cls.start_peers()
        # All three at once, so their hold-up windows overlap.
        cls.started = time.monotonic()
        cls.driad = lc.start_driad(lc.live_config(cls.mx, cls.responder, cls.pki.tls(), "gateway-first"))
        cls.addClassCleanup(cls.driad.cleanup)
        cls.wrong_password = lc.start_driad(lc.live_config(cls.mx, cls.responder, cls.pki.tls()),
                                            password=WRONG_PASSWORD)
        cls.addClassCleanup(cls.wrong_password.cleanup)
        cls.stranger = lc.start_driad(lc.live_config(cls.mx, cls.responder, cls.pki.tls(client="stranger")))
        cls.addClassCleanup(cls.stranger.cleanup)

    def assert_never_advertised(self, driad):
        """Gateway only from the start until NEVER_WINDOW after it."""
        count = self.hold_answer(GATEWAY_ONLY, until=self.started + NEVER_WINDOW, driad=driad)
        self.assertGreater(count, 0)
        self.assertNotRegex(driad.log(), r"decision east: .*-> (mx_first|spill|gateway_first|mx_only)")

    def test_gateway_first_overload_mode(self):
        self.wait_answer(MX_FIRST, within=HOLD_UP_S + 4, since=self.started)
        sent = self.mx_control("tunnels 90")  # 0.90 >= 0.85
        _, answer = self.wait_answer(GATEWAY_FIRST, within=FAST, since=sent)
        self.assertEqual(answer.ttls, [lc.DEGRADED_TTL])
        self.assertIsNotNone(self.driad.wait_log(r"decision east: mx_first -> gateway_first", 1.0))
        sent = self.mx_control("tunnels 80")  # between the watermarks: unchanged
        self.hold_answer(GATEWAY_FIRST, until=sent + 0.5)
        sent = self.mx_control("tunnels 10")  # under 0.70
        self.wait_answer(MX_FIRST, within=FAST, since=sent)
        # MX down while overloaded: gateway only, as in any mode.
        self.mx_control("tunnels 95")
        self.wait_answer(GATEWAY_FIRST, within=FAST)
        sent = self.mx_control("oper-status DOWN")
        self.wait_answer(GATEWAY_ONLY, within=FAST, since=sent)
        self.mx_control("tunnels 10")
        sent = self.mx_control("oper-status UP")
        self.wait_answer(MX_FIRST, within=HOLD_UP_S + FAST, since=sent)

    def test_wrong_password_never_advertises_the_mx(self):
        self.assert_never_advertised(self.wrong_password)
        log = self.wrong_password.log()
        self.assertRegex(log, r"mx feed east: .*UNAUTHENTICATED", log)
        self.assertNotIn(WRONG_PASSWORD, log)
        self.assertNotIn(lc.PASSWORD, log)

    def test_foreign_client_certificate_never_advertises_the_mx(self):
        self.assert_never_advertised(self.stranger)
        log = self.stranger.log()
        self.assertRegex(log, r"mx feed east: 127\.0\.0\.1:\d+ .*UNAVAILABLE", log)
        self.assertRegex(log, r"mx feed east: .*TLS handshake: does it trust our client certificate", log)
        self.assertNotIn(lc.PASSWORD, log)


if __name__ == "__main__":
    h.main()
