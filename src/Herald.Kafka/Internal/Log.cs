using Microsoft.Extensions.Logging;

namespace Herald.Kafka.Internal;

// Next free event id: 4014.
internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "Kafka listener ({Protocol}) on {EndPoint}, advertising {Host}:{Port}")]
    public static partial void Listening(ILogger logger, string protocol, string endPoint, string host, int port);

    [LoggerMessage(4001, LogLevel.Warning, "Closing Kafka connection from {Client}: {Reason} ({Suppressed} more such warnings held back)")]
    public static partial void MalformedRequest(ILogger logger, string client, string reason, int suppressed);

    [LoggerMessage(4002, LogLevel.Warning, "Client {Client} sent {ApiKey} v{Version}, which Herald does not support; answered UNSUPPORTED_VERSION ({Suppressed} more such warnings held back)")]
    public static partial void UnsupportedVersion(ILogger logger, string client, short apiKey, short version, int suppressed);

    [LoggerMessage(4003, LogLevel.Error, "Closing Kafka connection from {Client}: handling API {ApiKey} v{Version} failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string client, short apiKey, short version);

    [LoggerMessage(4004, LogLevel.Debug, "Kafka connection from {Client} closed")]
    public static partial void ConnectionClosed(ILogger logger, string client);

    [LoggerMessage(4005, LogLevel.Warning, "Accepting a Kafka connection failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(4006, LogLevel.Error, "Closing Kafka connection from {Client}: writing a response failed")]
    public static partial void WriteFailed(ILogger logger, Exception exception, string client);

    [LoggerMessage(4007, LogLevel.Information, "Closed Kafka connection from {Client}: {Reason} ({Suppressed} more such lines held back)")]
    public static partial void ConnectionExpired(ILogger logger, string client, string reason, int suppressed);

    [LoggerMessage(4008, LogLevel.Warning, "Refused a Kafka connection from {Client}: {Reason} ({Suppressed} more refusals held back)")]
    public static partial void ConnectionRefused(ILogger logger, string client, string reason, int suppressed);

    [LoggerMessage(4009, LogLevel.Information, "Authenticated {Principal} from {Client} with {Mechanism} on {Protocol}")]
    public static partial void Authenticated(ILogger logger, string principal, string client, string mechanism, string protocol);

    [LoggerMessage(4010, LogLevel.Warning, "Authentication failed from {Client} with {Mechanism} on {Protocol}: {Reason}")]
    public static partial void AuthenticationFailed(ILogger logger, string client, string mechanism, string protocol, string reason);

    [LoggerMessage(4011, LogLevel.Warning, "Refused Kafka connection from {Client} ({Principal}) on {Protocol}: {Reason}")]
    public static partial void ConnectionRefusedBySecurity(ILogger logger, string client, string principal, string protocol, string reason);

    [LoggerMessage(4012, LogLevel.Information, "Admin change by {Principal} from {Client}: {Change}: {Outcome}")]
    public static partial void AdminChange(ILogger logger, string principal, string client, string change, string outcome);

    [LoggerMessage(4013, LogLevel.Warning, "Denied {Principal} from {Client}: {Operation}")]
    public static partial void Denied(ILogger logger, string principal, string client, string operation);
}
