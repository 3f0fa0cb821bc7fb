using System.Net.Sockets;
using Confluent.Kafka;
using Herald.Storage;

namespace Herald.Cli;

/// <summary>What a command's failure tells the user, and with which exit code: the one place that decides.</summary>
internal static class Failures
{
    /// <summary>The interrupted-by-signal convention: 128 + SIGINT.</summary>
    public const int Interrupted = 130;

    /// <summary>The message, the exit code, and whether the stack trace would help (a bug rather than a condition).</summary>
    public static (string Message, int ExitCode, bool Unexpected) Describe(Exception exception) => exception switch
    {
        CliException cli => (cli.Message, cli.ExitCode, false),
        OperationCanceledException => ("Stopped before finishing.", Interrupted, false),
        DataDirectoryLockedException => ($"{exception.Message} If a server holds it, reach that server instead with --server HOST:PORT (its Kafka address).", ExitCodes.Failure, false),
        DataDirectoryUnusableException => (exception.Message, ExitCodes.Failure, false),
        Herald.EventSourcing.WrongExpectedVersionException or Herald.EventSourcing.StreamDeletedException => (exception.Message, ExitCodes.Failure, false),
        Npgsql.PostgresException postgres => ($"PostgreSQL refused: {postgres.MessageText}", ExitCodes.Failure, false),
        Npgsql.NpgsqlException => ($"PostgreSQL could not be used: {exception.Message}", ExitCodes.Failure, false),
        UnauthorizedAccessException => ($"Permission denied: {exception.Message}", ExitCodes.Failure, false),
        CorruptLogException => ($"Stored data is damaged: {exception.Message}", ExitCodes.Failure, false),
        InvalidRecordBatchException => ($"Read a damaged record batch: {exception.Message}", ExitCodes.Failure, false),
        KafkaException kafka => ($"The server could not be used: {kafka.Error.Reason}", ExitCodes.Failure, false),
        SocketException or IOException { InnerException: SocketException } => ($"The connection to the server was lost: {exception.Message}", ExitCodes.Failure, false),
        IOException or InvalidDataException => (exception.Message, ExitCodes.Failure, false),
        _ => ($"Unexpected error: {exception.Message}", ExitCodes.Failure, true),
    };
}
