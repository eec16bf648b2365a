// The fuzz build's copy of Boost.Asio's separately compiled bodies (the URL module's loopback
// rule uses asio::ip::make_address). Beast and SSL are not needed here.
#include <boost/asio/impl/src.hpp>
