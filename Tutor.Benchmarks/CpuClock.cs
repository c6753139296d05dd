namespace Tutor.Benchmarks;

/// <summary>This process's CPU time and its waited-for children's (/proc/self/stat: utime, stime, cutime, cstime).</summary>
public static class CpuClock
{
    public static TimeSpan SelfAndChildren()
    {
        var fields = File.ReadAllText("/proc/self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // After the command name: state is field 3, so utime (14) … cstime (17) are at 11 … 14 here.
        var ticks = long.Parse(fields[11]) + long.Parse(fields[12]) + long.Parse(fields[13]) + long.Parse(fields[14]);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }
}
