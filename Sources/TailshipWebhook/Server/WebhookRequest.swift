import TailshipCompress

/// What a whole request asks for, decided apart from the network: refused with a status,
/// nothing to append, or these lines to append.
enum WebhookRequest {
    enum Decision: Equatable {
        case refuse(WebhookRefusal)
        case append(EventListBody.Lines)
    }

    static func decide(method: String, path: String, expectedPath: String, contentEncoding: String?, body: [UInt8],
                       tooLarge: Bool, maxBodyBytes: Int) -> Decision {
        guard path == expectedPath else { return .refuse(WebhookRefusal(404, "no webhook at \(path.prefix(200)); it is at \(expectedPath)")) }
        guard method == "POST" else { return .refuse(WebhookRefusal(405, "\(method) is not allowed: POST an EventList")) }
        let tooBig = WebhookRefusal(413, "body over max_body_bytes (\(maxBodyBytes) bytes)")
        guard !tooLarge else { return .refuse(tooBig) }
        var plain = body
        switch contentEncoding?.lowercased() {
        case nil, "", "identity":
            break
        case "gzip":
            do {
                plain = try Gunzip.decompress(body, limit: maxBodyBytes)
            } catch is GzipLimitExceeded {
                return .refuse(WebhookRefusal(413, "body over max_body_bytes (\(maxBodyBytes) bytes) once decompressed"))
            } catch {
                return .refuse(.invalid("Content-Encoding: gzip, but the body is not whole gzip data (\(error))"))
            }
        case let other?:
            return .refuse(WebhookRefusal(415, "Content-Encoding \(other.prefix(40)) is not supported (gzip or none)"))
        }
        switch EventListBody.lines(plain) {
        case .failure(let refusal): return .refuse(refusal)
        case .success(let lines): return .append(lines)
        }
    }
}
