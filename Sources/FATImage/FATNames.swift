import MediaTree

extension NameRules {
    /// FAT long names (VFAT), as Windows writes them: UTF-16, at most 255
    /// units, none of `" * / : < > ? \ |` nor a control character, no dot or
    /// space at the end (Windows drops them). `;`, `+`, `,`, `=`, `[`, `]`
    /// are legal in a long name (the short name replaces them with `_`).
    /// Names that differ only in case are one name to FAT: a FAT volume
    /// refuses both (`VolumePlan`).
    public static let fat = NameRules(target: "FAT", forbidden: ["\"", "*", "/", ":", "<", ">", "?", "\\", "|"],
                                      maximumLength: 255, allowsBeyondUCS2: true, allowsTrailingDotOrSpace: false)
}
