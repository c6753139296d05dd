using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Tutor.Realtime.Transcripts;

namespace Tutor.Gateway.Families;

/// <summary>
/// Checks again, every <see cref="FamiliesOptions.AccessRecheckInterval"/>, that each parent following a child on this
/// gateway still may: one removed from the child (or whose child is gone), or who signed out, is disconnected, and the
/// page's reconnect is refused. An expired token is closed by the hub itself (<c>CloseOnAuthenticationExpiration</c>).
/// </summary>
public sealed class FollowerAudit(ParentAccess access, SignedOutTokens signedOut, IOptions<FamiliesOptions> options, ILogger<FollowerAudit> logger)
    : BackgroundService, IFollowers
{
    private readonly ConcurrentDictionary<(string ConnectionId, string UserId), HubCallerContext> _follows = new();

    public void Add(HubCallerContext caller, string userId) => _follows[(caller.ConnectionId, userId)] = caller;

    public void Remove(string connectionId, string? userId = null)
    {
        foreach (var follow in _follows.Keys.Where(k => k.ConnectionId == connectionId && (userId is null || k.UserId == userId)))
        {
            _follows.TryRemove(follow, out _);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.AccessRecheckInterval);
        // Stryker disable once Logical : only at stop, where the cancelled tick would throw out of the loop instead of ending it (the host's stop ignores either)
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
        {
            foreach (var ((connectionId, userId), caller) in _follows)
            {
                try
                {
                    if (caller.User is { } parent && await access.MayFollowAsync(parent, userId, stoppingToken)
                        && !(SignedOutTokens.FingerprintOf(parent) is { } fingerprint && await signedOut.IsSignedOutAsync(fingerprint, stoppingToken)))
                    {
                        continue;
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The profile cannot be read now: the parent keeps watching until the next check can decide.
                    logger.AccessUnchecked(ex, connectionId, userId);
                    continue;
                }
                logger.AccessEnded(connectionId, userId);
                // Stryker disable once Statement : the hub's OnDisconnectedAsync takes the aborted connection off the list too; this only spares the next check from finding it meanwhile
                Remove(connectionId);
                caller.Abort();
            }
        }
    }
}
