using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace WeChatNet.WeChat
{
    /// <summary>How a dispatch fetch failed; the cmdlet uses the name as its ErrorId.</summary>
    internal enum DispatchFailure
    {
        None,
        DispatchTimeout,
        DispatchUnreachable,
        DispatchHttpError,
        DispatchTooLarge,
        DispatchMalformed,
        DispatchDtdProhibited,
    }

    /// <summary>Settings of a dispatch fetch.</summary>
    internal sealed class DispatchRequestOptions
    {
        /// <summary>The default dispatch endpoint (facts section 3); the query is appended.</summary>
        public static readonly Uri DefaultUri = new Uri("http://" + NewGetDnsRequest.DefaultHost + NewGetDnsRequest.Path);

        /// <summary>Where to ask. Without a query string the newgetdns parameters are appended; with one it is used as is.</summary>
        public Uri Uri { get; set; } = DefaultUri;
        public uint ClientVersion { get; set; } = NewGetDnsRequest.DefaultClientVersion;
        /// <summary>The net parameter: 1 Wi-Fi, 2 mobile (Mars' NetType numbering).</summary>
        public int Net { get; set; } = 1;
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
        public int MaxBytes { get; set; } = DispatchParseOptions.DefaultMaxBytes;
        public bool ShowIdentifiers { get; set; }

        /// <summary>The URI actually requested.</summary>
        public Uri EffectiveUri()
        {
            if (Uri.Query.Length > 1) return Uri;
            var builder = new UriBuilder(Uri) { Query = NewGetDnsRequest.CreateAnonymous(ClientVersion, Net).ToQueryString() };
            return builder.Uri;
        }
    }

    /// <summary>The outcome of a fetch: a document, or a failure with a message.</summary>
    internal sealed class DispatchResult
    {
        internal DispatchResult(Dispatch? dispatch, DispatchFailure failure, string message, Uri uri)
        {
            Dispatch = dispatch;
            Failure = failure;
            Message = message;
            Uri = uri;
        }

        public Dispatch? Dispatch { get; }
        public DispatchFailure Failure { get; }
        public string Message { get; }
        public Uri Uri { get; }
    }

    /// <summary>
    /// Performs WeChat's newgetdns GET the way the client does (HTTP/1.0, <c>User-Agent: MicroMessenger Client</c>,
    /// <c>Connection: close</c>, uin 0) and parses the answer with <see cref="DispatchDocument"/>. No proxy is used: the
    /// dispatch server must see this machine's own address, as it would the client's.
    /// </summary>
    internal static class DispatchClient
    {
        public static async Task<DispatchResult> FetchAsync(DispatchRequestOptions options, CancellationToken cancellationToken)
        {
            Uri uri = options.EffectiveUri();
            var sw = Stopwatch.StartNew();
            using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false, UseProxy = false, AutomaticDecompression = DecompressionMethods.None };
            using var http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            using var request = new HttpRequestMessage(HttpMethod.Get, uri) { Version = new Version(1, 0) };
            request.Headers.TryAddWithoutValidation("User-Agent", NewGetDnsRequest.UserAgent);
            request.Headers.ConnectionClose = true;
            using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutCts.CancelAfter(options.Timeout);
            byte[] body;
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutCts.Token).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK)
                    return new DispatchResult(null, DispatchFailure.DispatchHttpError, $"{uri.GetLeftPart(UriPartial.Path)} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.", uri);
                if (response.Content.Headers.ContentLength > options.MaxBytes)
                    return new DispatchResult(null, DispatchFailure.DispatchTooLarge, $"The dispatch answer declares {response.Content.Headers.ContentLength} bytes; the limit is {options.MaxBytes}.", uri);
                using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                using var ms = new MemoryStream();
                var buffer = new byte[16384];
                int n;
                using (timeoutCts.Token.Register(() => stream.Dispose()))
                {
                    while ((n = await stream.ReadAsync(buffer, 0, buffer.Length, timeoutCts.Token).ConfigureAwait(false)) > 0)
                    {
                        if (ms.Length + n > options.MaxBytes)
                            return new DispatchResult(null, DispatchFailure.DispatchTooLarge, $"The dispatch answer is over the limit of {options.MaxBytes} bytes.", uri);
                        ms.Write(buffer, 0, n);
                    }
                }
                body = ms.ToArray();
            }
            catch (Exception e) when ((e is OperationCanceledException || e is ObjectDisposedException || e is IOException) && !cancellationToken.IsCancellationRequested && timeoutCts.IsCancellationRequested)
            {
                return new DispatchResult(null, DispatchFailure.DispatchTimeout, $"No complete dispatch answer from {uri.GetLeftPart(UriPartial.Authority)} within {options.Timeout.TotalSeconds:0.###} s.", uri);
            }
            catch (Exception e) when ((e is HttpRequestException || e is IOException) && !cancellationToken.IsCancellationRequested)
            {
                string msg = e.Message;
                for (var x = e.InnerException; x != null; x = x.InnerException) msg += " " + x.Message;
                return new DispatchResult(null, DispatchFailure.DispatchUnreachable, $"The dispatch request to {uri.GetLeftPart(UriPartial.Authority)} failed: {msg}", uri);
            }
            double elapsed = sw.Elapsed.TotalMilliseconds;
            var parseOptions = new DispatchParseOptions { MaxBytes = options.MaxBytes, ShowIdentifiers = options.ShowIdentifiers, Source = uri.GetLeftPart(UriPartial.Path), ElapsedMs = elapsed };
            var error = DispatchDocument.TryParse(body, parseOptions, out var dispatch, out string message);
            switch (error)
            {
                case DispatchParseError.None: return new DispatchResult(dispatch, DispatchFailure.None, string.Empty, uri);
                case DispatchParseError.TooLarge: return new DispatchResult(null, DispatchFailure.DispatchTooLarge, message, uri);
                case DispatchParseError.DtdProhibited: return new DispatchResult(null, DispatchFailure.DispatchDtdProhibited, message, uri);
                default: return new DispatchResult(null, DispatchFailure.DispatchMalformed, message, uri);
            }
        }
    }
}
