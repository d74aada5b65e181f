using System;

namespace WeChatNet.Capture.Live
{
    /// <summary>Why a live capture could not start or had to stop. Each maps to one ErrorId the cmdlets report.</summary>
    public enum LiveCaptureErrorKind
    {
        /// <summary>libpcap / Npcap is not installed or could not be loaded (ErrorId CaptureLibraryMissing).</summary>
        LibraryMissing,
        /// <summary>The process may not capture (ErrorId CapturePermissionDenied).</summary>
        PermissionDenied,
        /// <summary>No such interface (ErrorId CaptureInterfaceNotFound).</summary>
        InterfaceNotFound,
        /// <summary>The interface exists but is down (ErrorId CaptureInterfaceNotUp).</summary>
        InterfaceNotUp,
        /// <summary>libpcap rejected the BPF filter (ErrorId CaptureFilterInvalid).</summary>
        FilterInvalid,
        /// <summary>libpcap could not open or activate the interface for another reason (ErrorId CaptureOpenFailed).</summary>
        OpenFailed,
        /// <summary>Reading packets failed after the capture started (ErrorId CaptureReadFailed).</summary>
        ReadFailed,
        /// <summary>The capture file could not be written (ErrorId CaptureFileWriteError).</summary>
        FileWriteFailed,
    }

    /// <summary>A live-capture failure with the ErrorId the cmdlets use and a message that says what to do.</summary>
    public sealed class LiveCaptureException : Exception
    {
        public LiveCaptureException(LiveCaptureErrorKind kind, string message, Exception? inner = null) : base(message, inner)
        {
            Kind = kind;
        }

        public LiveCaptureErrorKind Kind { get; }

        /// <summary>The PowerShell ErrorId, spelt out so that docs/conventions.md and the code can be checked against each other.</summary>
        public string ErrorId => Kind switch
        {
            LiveCaptureErrorKind.LibraryMissing => "CaptureLibraryMissing",
            LiveCaptureErrorKind.PermissionDenied => "CapturePermissionDenied",
            LiveCaptureErrorKind.InterfaceNotFound => "CaptureInterfaceNotFound",
            LiveCaptureErrorKind.InterfaceNotUp => "CaptureInterfaceNotUp",
            LiveCaptureErrorKind.FilterInvalid => "CaptureFilterInvalid",
            LiveCaptureErrorKind.OpenFailed => "CaptureOpenFailed",
            LiveCaptureErrorKind.ReadFailed => "CaptureReadFailed",
            LiveCaptureErrorKind.FileWriteFailed => "CaptureFileWriteError",
            _ => "Capture" + Kind,
        };
    }
}
