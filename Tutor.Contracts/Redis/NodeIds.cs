namespace Tutor.Contracts.Redis;

/// <summary>How a process names itself in Redis (session records, turn timings, consumer groups).</summary>
public static class NodeIds
{
    /// <summary>This process: host and process id.</summary>
    public static string Process { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>A consumer of a stream group: this process and an instance suffix, since several may share a process in tests.</summary>
    public static string NewConsumer() => $"{Process}:{Guid.NewGuid().ToString("N")[..6]}";
}
