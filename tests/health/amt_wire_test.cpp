// The RFC 7450 discovery codec against exact bytes (health/amt_wire.hpp).
#include "health/amt_wire.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace driad::health::amt {
namespace {

using Bytes = std::vector<std::uint8_t>;
using boost::asio::ip::make_address;

TEST(AmtWire, EncodesDiscovery) {
  const auto message = EncodeDiscovery(0x12345678);
  EXPECT_EQ(Bytes(message.begin(), message.end()),
            (Bytes{0x01, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78}));
}

TEST(AmtWire, ParsesDiscoveryIgnoringReserved) {
  const Bytes message{0x01, 0xff, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef};
  auto nonce = ParseDiscovery(message);
  ASSERT_TRUE(nonce.has_value());
  EXPECT_EQ(*nonce, 0xdeadbeefU);
}

TEST(AmtWire, RejectsBadDiscoveries) {
  EXPECT_EQ(ParseDiscovery(Bytes{}).error(), ParseError::bad_length);
  EXPECT_EQ(ParseDiscovery(Bytes{0x01, 0, 0, 0, 1, 2, 3}).error(), ParseError::bad_length);
  EXPECT_EQ(ParseDiscovery(Bytes{0x01, 0, 0, 0, 1, 2, 3, 4, 5}).error(), ParseError::bad_length);
  EXPECT_EQ(ParseDiscovery(Bytes{0x11, 0, 0, 0, 1, 2, 3, 4}).error(), ParseError::bad_version);
  EXPECT_EQ(ParseDiscovery(Bytes{0x02, 0, 0, 0, 1, 2, 3, 4}).error(), ParseError::bad_type);
}

TEST(AmtWire, EncodesIpv4Advertisement) {
  EXPECT_EQ(EncodeAdvertisement(0x01020304, make_address("192.0.2.7")),
            (Bytes{0x02, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 192, 0, 2, 7}));
}

TEST(AmtWire, EncodesIpv6Advertisement) {
  EXPECT_EQ(EncodeAdvertisement(0xa0b0c0d0, make_address("2001:db8::1")),
            (Bytes{0x02, 0x00, 0x00, 0x00, 0xa0, 0xb0, 0xc0, 0xd0, 0x20, 0x01, 0x0d, 0xb8,
                   0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0x01}));
}

TEST(AmtWire, ParsesIpv4Advertisement) {
  auto parsed = ParseAdvertisement(Bytes{0x02, 0, 0, 0, 0xca, 0xfe, 0xba, 0xbe, 198, 51, 100, 9});
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->nonce, 0xcafebabeU);
  EXPECT_EQ(parsed->relay, make_address("198.51.100.9"));
}

TEST(AmtWire, ParsesIpv6Advertisement) {
  auto parsed = ParseAdvertisement(Bytes{0x02, 0, 0, 0, 0, 0, 0, 42, 0x20, 0x01, 0x0d, 0xb8,
                                         0,    0, 0, 0, 0, 0, 0, 0,  0,    0,    0x12, 0x34});
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->nonce, 42U);
  EXPECT_EQ(parsed->relay, make_address("2001:db8::1234"));
}

TEST(AmtWire, RejectsBadAdvertisements) {
  // A Discovery is not an Advertisement.
  EXPECT_EQ(ParseAdvertisement(Bytes{0x01, 0, 0, 0, 1, 2, 3, 4}).error(), ParseError::bad_type);
  EXPECT_EQ(ParseAdvertisement(Bytes{0x12, 0, 0, 0, 1, 2, 3, 4, 192, 0, 2, 1}).error(),
            ParseError::bad_version);
  // Only 12 and 24 octets carry a whole address.
  for (std::size_t size : {0, 1, 8, 11, 13, 16, 20, 23, 25, 40}) {
    Bytes message(size, 0);
    if (size > 0) message[0] = 0x02;
    EXPECT_EQ(ParseAdvertisement(message).error(), ParseError::bad_length) << size;
  }
}

TEST(AmtWire, RoundTrips) {
  for (const char* relay : {"127.0.0.1", "::1", "192.52.193.1", "2001:3::1"}) {
    const auto address = make_address(relay);
    auto parsed = ParseAdvertisement(EncodeAdvertisement(0x0badf00d, address));
    ASSERT_TRUE(parsed.has_value()) << relay;
    EXPECT_EQ(parsed->nonce, 0x0badf00dU);
    EXPECT_EQ(parsed->relay, address);
  }
  const auto discovery = EncodeDiscovery(7);
  EXPECT_EQ(ParseDiscovery(discovery).value(), 7U);
}

}  // namespace
}  // namespace driad::health::amt
