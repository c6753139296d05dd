namespace Tutor.Contracts.Redis;

/// <summary>
/// Scripts for a key held as a lease (a child's turn lock): its value is the holder's token, and only the holder may
/// renew or release it — a lease that expired and was taken by someone else is left alone. KEYS[1] is the key, ARGV[1]
/// the token (and ARGV[2] the lease in milliseconds, to renew).
/// </summary>
public static class HeldKeyScripts
{
    public const string Renew = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0";

    public const string Release = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
}
