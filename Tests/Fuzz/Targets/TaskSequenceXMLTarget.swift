import MediaTree

extension FuzzTarget {
    /// The `package` references of a task sequence's XML (UTF-8 or UTF-16).
    /// Property: the references found are in document order (lines never go back).
    static let taskSequenceXML = FuzzTarget(name: "ts-xml") { bytes in
        guard let references = try? TaskSequenceXML.references(in: bytes) else { return }
        var line = 1
        for reference in references {
            precondition(reference.line >= line, "task sequence references out of document order")
            line = reference.line
        }
    }
}
