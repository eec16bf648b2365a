#include "net/url.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace nudgebot;
using namespace std::string_literals;

TEST_CASE("URLs are split into scheme, host, port and target", "[net][url]")
{
    auto u = net::parse_url("wss://gateway.discord.gg/?v=10&encoding=json");
    REQUIRE(u);
    CHECK(u->scheme == "wss");
    CHECK(u->host == "gateway.discord.gg");
    CHECK(u->port == "443");
    CHECK(u->target == "/?v=10&encoding=json");
    CHECK(u->tls());

    auto local = net::parse_url("http://127.0.0.1:8080/api/v10");
    REQUIRE(local);
    CHECK(local->port == "8080");
    CHECK(local->target == "/api/v10");
    CHECK(net::transport_allowed(*local));

    auto v6 = net::parse_url("ws://[::1]:9/x");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(net::transport_allowed(*v6));

    auto bare = net::parse_url("http://localhost");
    REQUIRE(bare);
    CHECK(bare->target == "/");
    CHECK(bare->port == "80");

    auto fragment = net::parse_url("https://example.com/a/b?x=1#top");
    REQUIRE(fragment);
    CHECK(fragment->target == "/a/b?x=1");

    CHECK_FALSE(net::transport_allowed(*net::parse_url("http://discord.com/api")));
    CHECK_FALSE(net::parse_url("ftp://x/"));
    CHECK_FALSE(net::parse_url("https://host:99999/"));
    CHECK_FALSE(net::parse_url("https://host:0/"));
    CHECK_FALSE(net::parse_url("no scheme"));
    CHECK_FALSE(net::parse_url("https:///path-only"));
    CHECK_FALSE(net::parse_url(""));
}

TEST_CASE("Upper-case schemes and host names are read in lower case", "[net][url]")
{
    auto u = net::parse_url("HTTPS://Discord.COM/api/v10");
    REQUIRE(u);
    CHECK(u->scheme == "https");
    CHECK(u->host == "discord.com");
    CHECK(u->tls());

    auto plain = net::parse_url("HTTP://LOCALHOST:8080/");
    REQUIRE(plain);
    CHECK(plain->scheme == "http");
    CHECK(net::transport_allowed(*plain));
    CHECK_FALSE(net::transport_allowed(*net::parse_url("WS://EVIL.EXAMPLE/")));
}

TEST_CASE("The loopback rule accepts localhost, 127.0.0.0/8 and ::1 only", "[net][url][security]")
{
    for (const char* host : {"localhost", "127.0.0.1", "127.0.0.9", "127.255.255.254", "::1", "[::1]",
                             "0:0:0:0:0:0:0:1"})
        CHECK(net::is_loopback_host(host));

    // Names that look like loopback, other spellings of 127.x, other addresses, and junk.
    for (const char* host : {"127.attacker.example", "127.0.0.1.evil.example", "localhost.example",
                             "evil-localhost", "LOCALHOST.", "0x7f.1", "0x7f000001", "2130706433", "127.1",
                             "0177.0.0.1", "127.0.0.256", "128.0.0.1", "10.0.0.5", "0.0.0.0", "::", "::2",
                             "::ffff:127.0.0.1", "[::1", "::1]", "::1%lo", "[::1%25lo]", "fe80::1%eth0", "",
                             " 127.0.0.1", "127.0.0.1 "})
        CHECK_FALSE(net::is_loopback_host(host));

    CHECK_FALSE(net::is_loopback_host("127.0.0.1\0.evil.example"s));
    CHECK_FALSE(net::is_loopback_host("localhost\0"s));
    CHECK_FALSE(net::is_loopback_host(std::string(8192, '1')));
    CHECK_FALSE(net::is_loopback_host("127." + std::string(8192, '0') + ".0.1"));
}

TEST_CASE("Hostile URLs never allow plain-text transport off the machine", "[net][url][security]")
{
    // Each either fails to parse or parses to a host that is not loopback.
    auto plain_refused = [](const std::string& text) {
        auto u = net::parse_url(text);
        return !u || !net::transport_allowed(*u);
    };
    CHECK(plain_refused("http://127.attacker.example/"));
    CHECK(plain_refused("http://127.0.0.1.evil.example/"));
    // Boost.URL 1.81 alone reads these as 127.0.0.1 followed by a path: they are names.
    auto name = net::parse_url("http://127.0.0.1.evil.example:8080/api?x=1#f");
    REQUIRE(name);
    CHECK(name->host == "127.0.0.1.evil.example");
    CHECK(name->port == "8080");
    CHECK(name->target == "/api?x=1");
    CHECK_FALSE(net::transport_allowed(*name));
    auto bare_name = net::parse_url("ws://127.0.0.1x");
    REQUIRE(bare_name);
    CHECK(bare_name->host == "127.0.0.1x");
    CHECK(bare_name->target == "/");
    CHECK_FALSE(net::transport_allowed(*bare_name));
    CHECK_FALSE(net::parse_url("http://127.0.0.1.evil.example@x/"));
    CHECK(plain_refused("ws://0x7f.1/gateway"));
    CHECK(plain_refused("http://127.1/"));
    CHECK(plain_refused("http://2130706433/"));
    CHECK(plain_refused("http://localhost.evil.example/"));
    CHECK(plain_refused("http://127%2e0%2e0%2e1/"));
    CHECK(plain_refused("http://[::1%25eth0]/"));
    CHECK(plain_refused("http://[fe80::1%25lo]:80/"));
    CHECK(plain_refused("http://[v1.fe]/"));
    CHECK(plain_refused("http://evil.example\\@127.0.0.1/"));
    CHECK(plain_refused("http://127.0.0.1\0.evil.example/"s));
    CHECK(plain_refused("http://evil.example\0@127.0.0.1/"s));
    CHECK(plain_refused("http://" + std::string(8192, 'a') + "/"));
    CHECK(plain_refused("http://127.0.0.1" + std::string(8192, '1') + "/"));

    // Userinfo is refused outright: it could smuggle a second host or a secret into logs.
    CHECK_FALSE(net::parse_url("https://user@host/"));
    CHECK_FALSE(net::parse_url("http://evil.example@127.0.0.1/"));
    CHECK_FALSE(net::parse_url("http://127.0.0.1:80@evil.example/"));
    CHECK_FALSE(net::parse_url("http://:@127.0.0.1/"));
    // Spaces and control characters are not URLs.
    CHECK_FALSE(net::parse_url("http://127.0.0.1 .evil.example/"));
    CHECK_FALSE(net::parse_url("http://127.0.0.1/\r\nHost: evil"));
    // A name longer than DNS allows.
    CHECK_FALSE(net::parse_url("https://" + std::string(254, 'a') + "/"));
    CHECK(net::parse_url("https://" + std::string(63, 'a') + ".example/"));
}

TEST_CASE("Query values are percent-encoded and decoded symmetrically", "[net][url]")
{
    CHECK(net::encode_query_value("abc-XYZ_0.9~") == "abc-XYZ_0.9~");
    CHECK(net::encode_query_value("a b&c=d/é") == "a%20b%26c%3Dd%2F%C3%A9");
    CHECK(net::with_query("ws://h/gateway", "v", "10") == "ws://h/gateway?v=10");
    CHECK(net::with_query("ws://h/?v=10", "encoding", "json") == "ws://h/?v=10&encoding=json");
    CHECK(net::with_query("https://h/api", "cursor", "dXNlcjpVMEc5V0ZYTlo=") ==
          "https://h/api?cursor=dXNlcjpVMEc5V0ZYTlo%3D");

    CHECK(net::percent_decode("a%20b+c") == "a b c");
    CHECK(net::percent_decode("a%20b+c", false) == "a b+c");
    CHECK(net::percent_decode("%41") == "A");   // an escape at the very end
    CHECK(net::percent_decode("%00") == "\0"s);
    CHECK_FALSE(net::percent_decode("%zz"));
    CHECK_FALSE(net::percent_decode("100%"));
    CHECK_FALSE(net::percent_decode("%4"));
    const std::string awkward = "line 1\nline 2 & 50% = half \xF0\x9F\x98\x80";
    CHECK(net::percent_decode(net::encode_query_value(awkward)) == awkward);
}

TEST_CASE("A request target's query values are found by key", "[net][url]")
{
    CHECK(net::query_value("/sandbox/api/state?as=alice&since=12", "as") == "alice");
    CHECK(net::query_value("/sandbox/api/state?as=alice&since=12", "since") == "12");
    CHECK(net::query_value("/x?name=John+Doe%21", "name") == "John Doe!");
    CHECK(net::query_value("/x?a=1&a=2", "a") == "1");
    CHECK(net::query_value("/x?flag", "flag") == "");
    CHECK(net::query_value("/x?%61s=bob", "as") == "bob");
    CHECK_FALSE(net::query_value("/x", "as"));
    CHECK_FALSE(net::query_value("/x?as=%zz", "as"));
    CHECK_FALSE(net::query_value("/x?other=1", "as"));
}

TEST_CASE("Form bodies are decoded field by field; malformed fields are skipped", "[net][url]")
{
    auto f = net::parse_form("token=abc&text=hello+world%21&channel_id=c1&bad=%zz&&empty=&text=again");
    CHECK(f.at("token") == "abc");
    CHECK(f.at("text") == "again");
    CHECK(f.at("channel_id") == "c1");
    CHECK(f.at("empty").empty());
    CHECK(f.count("bad") == 0);

    std::string many;
    for (int i = 0; i < 1000; ++i) many += "k" + std::to_string(i) + "=v&";
    CHECK(net::parse_form(many).size() == 64);
    CHECK(net::parse_form(many, 3).size() == 3);
    CHECK(net::parse_form("").empty());
}
