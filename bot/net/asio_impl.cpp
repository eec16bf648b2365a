// The one translation unit that compiles Boost.Asio, Asio SSL and Boost.Beast.
//
// Every target is built with BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION,
// so the library bodies live here once instead of in every file that includes Asio or Beast.
// This file changes never; ccache keeps its (slow) compile to one run per machine.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
