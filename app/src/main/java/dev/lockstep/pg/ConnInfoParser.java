package dev.lockstep.pg;

import dev.lockstep.LockstepException;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the explicit part of a {@code CONN} string into libpq keywords, following libpq's own parsers
 * ({@code conninfo_parse}, {@code conninfo_uri_parse_options}) and pgjdbc's URL syntax. Error messages
 * give a position and never repeat a value, since a value may be a password.
 */
final class ConnInfoParser {
    static final String JDBC_PREFIX = "jdbc:postgresql:";

    /** pgjdbc property → libpq keyword, for the properties both understand. */
    private static final Map<String, String> JDBC_TO_LIBPQ = Map.ofEntries(
            Map.entry("user", "user"),
            Map.entry("password", "password"),
            Map.entry("sslmode", "sslmode"),
            Map.entry("sslcert", "sslcert"),
            Map.entry("sslkey", "sslkey"),
            Map.entry("sslrootcert", "sslrootcert"),
            Map.entry("sslpassword", "sslpassword"),
            Map.entry("ApplicationName", "application_name"),
            Map.entry("connectTimeout", "connect_timeout"),
            Map.entry("options", "options"),
            Map.entry("gssEncMode", "gssencmode"),
            Map.entry("channelBinding", "channel_binding"),
            Map.entry("service", "service"));

    private ConnInfoParser() {}

    /** The keywords given explicitly in {@code conn}, in order; later ones override earlier ones. */
    static Map<String, String> parse(String conn) {
        String trimmed = conn.strip();
        if (trimmed.isEmpty()) {
            return new LinkedHashMap<>();
        }
        if (uriPrefixLength(trimmed) > 0) {
            return parseUri(trimmed);
        }
        if (trimmed.startsWith(JDBC_PREFIX)) {
            return parseJdbc(trimmed);
        }
        if (conn.indexOf('=') >= 0) {
            return parseKeyValue(conn);
        }
        // as psql does with "psql mydb": a string that is neither a URI nor key=value is a database name
        Map<String, String> values = new LinkedHashMap<>();
        values.put("dbname", conn);
        return values;
    }

    static int uriPrefixLength(String conn) {
        if (conn.startsWith("postgresql://")) {
            return "postgresql://".length();
        }
        if (conn.startsWith("postgres://")) {
            return "postgres://".length();
        }
        return 0;
    }

    // ---- key=value, as libpq's conninfo_parse ----

    static Map<String, String> parseKeyValue(String conn) {
        Map<String, String> values = new LinkedHashMap<>();
        boolean mayEcho = !mentionsSecret(conn);
        int length = conn.length();
        int i = 0;
        while (true) {
            while (i < length && Character.isWhitespace(conn.charAt(i))) {
                i++;
            }
            if (i >= length) {
                break;
            }
            int nameStart = i;
            while (i < length && conn.charAt(i) != '=' && !Character.isWhitespace(conn.charAt(i))) {
                i++;
            }
            String name = conn.substring(nameStart, i);
            while (i < length && Character.isWhitespace(conn.charAt(i))) {
                i++;
            }
            if (i >= length || conn.charAt(i) != '=') {
                throw syntax("missing \"=\" after " + describe(name, mayEcho) + " in key=value string at position "
                        + (nameStart + 1));
            }
            i++;
            while (i < length && Character.isWhitespace(conn.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < length && conn.charAt(i) == '\'') {
                int quoteAt = i;
                i++;
                boolean closed = false;
                while (i < length) {
                    char c = conn.charAt(i);
                    if (c == '\\') {
                        i++;
                        if (i < length) {
                            value.append(conn.charAt(i++));
                        }
                        continue;
                    }
                    if (c == '\'') {
                        i++;
                        closed = true;
                        break;
                    }
                    value.append(c);
                    i++;
                }
                if (!closed) {
                    throw syntax("unterminated quoted value in key=value string at position " + (quoteAt + 1));
                }
            } else {
                while (i < length && !Character.isWhitespace(conn.charAt(i))) {
                    char c = conn.charAt(i);
                    if (c == '\\') {
                        i++;
                        if (i < length) {
                            value.append(conn.charAt(i++));
                        }
                        continue;
                    }
                    value.append(c);
                    i++;
                }
            }
            if (!Keywords.known(name)) {
                throw syntax("unknown connection option " + describe(name, mayEcho)
                        + " in key=value string at position " + (nameStart + 1));
            }
            values.put(name, value.toString());
        }
        return values;
    }

    // ---- postgresql:// URIs, as libpq's conninfo_uri_parse_options ----

    static Map<String, String> parseUri(String uri) {
        Map<String, String> values = new LinkedHashMap<>();
        boolean mayEcho = !mentionsSecret(uri);
        int length = uri.length();
        int start = uriPrefixLength(uri);

        // userinfo: libpq looks ahead for '@' before the first '/'
        int at = start;
        while (at < length && uri.charAt(at) != '@' && uri.charAt(at) != '/') {
            at++;
        }
        int i = start;
        if (at < length && uri.charAt(at) == '@') {
            String userInfo = uri.substring(start, at);
            int colon = userInfo.indexOf(':');
            String user = colon >= 0 ? userInfo.substring(0, colon) : userInfo;
            if (!user.isEmpty()) {
                values.put("user", percentDecode(user, start));
            }
            if (colon >= 0) {
                values.put("password", percentDecode(userInfo.substring(colon + 1), start + colon + 1));
            }
            i = at + 1;
        }

        List<String> hosts = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        boolean anyHostPart = false;
        while (i < length && uri.charAt(i) != '/' && uri.charAt(i) != '?') {
            String host;
            if (uri.charAt(i) == '[') {
                int close = uri.indexOf(']', i);
                if (close < 0) {
                    throw syntax("missing \"]\" after the IPv6 address that starts at position " + (i + 1) + " in URI");
                }
                if (close == i + 1) {
                    throw syntax("empty IPv6 address in brackets at position " + (i + 1) + " in URI");
                }
                host = uri.substring(i + 1, close);
                i = close + 1;
                if (i < length && ":/?,".indexOf(uri.charAt(i)) < 0) {
                    throw syntax("unexpected character after the IPv6 address at position " + (i + 1) + " in URI");
                }
            } else {
                int hostStart = i;
                while (i < length && ":/?,".indexOf(uri.charAt(i)) < 0) {
                    i++;
                }
                host = percentDecode(uri.substring(hostStart, i), hostStart);
            }
            String port = "";
            if (i < length && uri.charAt(i) == ':') {
                int portStart = ++i;
                while (i < length && "/?,".indexOf(uri.charAt(i)) < 0) {
                    i++;
                }
                port = percentDecode(uri.substring(portStart, i), portStart);
            }
            hosts.add(host);
            ports.add(port);
            anyHostPart |= !host.isEmpty() || !port.isEmpty();
            if (i < length && uri.charAt(i) == ',') {
                i++;
                if (i >= length || uri.charAt(i) == '/' || uri.charAt(i) == '?') {
                    // "h1," names an empty second host, which libpq takes as the default host
                    hosts.add("");
                    ports.add("");
                }
            }
        }
        if (anyHostPart || hosts.size() > 1) {
            if (hosts.stream().anyMatch(host -> !host.isEmpty())) {
                values.put("host", String.join(",", hosts));
            }
            if (ports.stream().anyMatch(port -> !port.isEmpty())) {
                values.put("port", String.join(",", ports));
            }
        }

        if (i < length && uri.charAt(i) == '/') {
            int dbStart = ++i;
            while (i < length && uri.charAt(i) != '?') {
                i++;
            }
            String dbname = percentDecode(uri.substring(dbStart, i), dbStart);
            if (!dbname.isEmpty()) {
                values.put("dbname", dbname);
            }
        }

        if (i < length && uri.charAt(i) == '?') {
            int index = i + 1;
            for (String pair : uri.substring(i + 1).split("&", -1)) {
                if (!pair.isEmpty()) {
                    int equals = pair.indexOf('=');
                    if (equals < 0) {
                        throw syntax("missing \"=\" in URI query parameter at position " + (index + 1));
                    }
                    if (pair.indexOf('=', equals + 1) >= 0) {
                        throw syntax("extra \"=\" in URI query parameter at position " + (index + 1));
                    }
                    String key = percentDecode(pair.substring(0, equals), index);
                    String value = percentDecode(pair.substring(equals + 1), index + equals + 1);
                    if (key.equals("ssl") && value.equals("true")) {
                        // JDBC habit that libpq accepts too
                        key = "sslmode";
                        value = "require";
                    }
                    if (!Keywords.known(key)) {
                        throw syntax("unknown URI query parameter " + describe(key, mayEcho) + " at position "
                                + (index + 1));
                    }
                    values.put(key, value);
                }
                index += pair.length() + 1;
            }
        }
        return values;
    }

    // ---- jdbc:postgresql: URLs, as pgjdbc's Driver.parseURL ----

    static Map<String, String> parseJdbc(String url) {
        Map<String, String> values = new LinkedHashMap<>();
        boolean mayEcho = !mentionsSecret(url);
        String rest = url.substring(JDBC_PREFIX.length());
        int question = rest.indexOf('?');
        String query = question >= 0 ? rest.substring(question + 1) : "";
        String path = question >= 0 ? rest.substring(0, question) : rest;
        if (path.startsWith("//")) {
            int slash = path.indexOf('/', 2);
            String hostList = slash >= 0 ? path.substring(2, slash) : path.substring(2);
            String dbname = slash >= 0 ? urlDecode(path.substring(slash + 1)) : "";
            List<String> hosts = new ArrayList<>();
            List<String> ports = new ArrayList<>();
            if (!hostList.isEmpty()) {
                for (String address : hostList.split(",", -1)) {
                    int portColon = address.lastIndexOf(':');
                    boolean bracketed = address.startsWith("[");
                    if (bracketed) {
                        int close = address.indexOf(']');
                        if (close < 0) {
                            throw syntax("missing \"]\" after an IPv6 address in JDBC URL");
                        }
                        hosts.add(address.substring(1, close));
                        ports.add(
                                close + 1 < address.length() && address.charAt(close + 1) == ':'
                                        ? address.substring(close + 2)
                                        : "");
                    } else if (portColon >= 0) {
                        hosts.add(address.substring(0, portColon));
                        ports.add(address.substring(portColon + 1));
                    } else {
                        hosts.add(address);
                        ports.add("");
                    }
                }
                if (hosts.stream().anyMatch(host -> !host.isEmpty())) {
                    values.put("host", String.join(",", hosts));
                }
                if (ports.stream().anyMatch(port -> !port.isEmpty())) {
                    values.put("port", String.join(",", ports));
                }
            }
            if (!dbname.isEmpty()) {
                values.put("dbname", dbname);
            }
        } else if (!path.isEmpty() && !path.equals("/")) {
            values.put("dbname", urlDecode(path));
        }
        String sslFlag = null;
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String key = urlDecode(equals >= 0 ? pair.substring(0, equals) : pair);
            String value = equals >= 0 ? urlDecode(pair.substring(equals + 1)) : "";
            if (key.equals("ssl")) {
                sslFlag = value;
            } else if (key.equals("targetServerType")) {
                values.put("target_session_attrs", targetSessionAttrs(value, mayEcho));
            } else if (key.equals("loadBalanceHosts")) {
                values.put("load_balance_hosts", Boolean.parseBoolean(value) ? "random" : "disable");
            } else if (JDBC_TO_LIBPQ.containsKey(key)) {
                values.put(JDBC_TO_LIBPQ.get(key), value);
            } else {
                // other driver properties (currentSchema, prepareThreshold...) go to the driver as given
                values.put(key, value);
            }
        }
        if (sslFlag != null && !values.containsKey("sslmode")) {
            // pgjdbc: ssl=true without sslmode means verify-full
            values.put("sslmode", sslFlag.isEmpty() || Boolean.parseBoolean(sslFlag) ? "verify-full" : "disable");
        }
        return values;
    }

    private static String targetSessionAttrs(String serverType, boolean mayEcho) {
        switch (serverType) {
            case "any":
                return "any";
            case "primary":
            case "master":
                return "primary";
            case "secondary":
            case "slave":
                return "standby";
            case "preferSecondary":
            case "preferSlave":
                return "prefer-standby";
            case "readWrite":
                return "read-write";
            case "readOnly":
                return "read-only";
            default:
                throw syntax("unsupported targetServerType "
                        + (mayEcho ? "\"" + serverType + "\"" : "(value not shown)") + " in JDBC URL");
        }
    }

    // ---- helpers ----

    static String percentDecode(String text, int offset) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
                continue;
            }
            if (i + 2 >= text.length()
                    || Character.digit(text.charAt(i + 1), 16) < 0
                    || Character.digit(text.charAt(i + 2), 16) < 0) {
                throw syntax("invalid percent-encoding in URI at position " + (offset + i + 1));
            }
            int value = Character.digit(text.charAt(i + 1), 16) * 16 + Character.digit(text.charAt(i + 2), 16);
            if (value == 0) {
                throw syntax("forbidden %00 in URI at position " + (offset + i + 1));
            }
            bytes.write(value);
            i += 2;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static String percentEncode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return out.toString();
    }

    private static String urlDecode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw syntax("invalid percent-encoding in JDBC URL");
        }
    }

    private static boolean mentionsSecret(String conn) {
        String lower = conn.toLowerCase(Locale.ROOT);
        return lower.contains("password") || lower.contains("@");
    }

    /** Names a token only when the string carries no secret the token could be a piece of. */
    private static String describe(String token, boolean mayEcho) {
        return mayEcho ? "\"" + token + "\"" : "a keyword";
    }

    private static LockstepException syntax(String message) {
        return LockstepException.usage(message);
    }
}
