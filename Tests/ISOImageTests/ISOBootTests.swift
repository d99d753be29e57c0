import Foundation
import XCTest
import MediaTree
import RegionMap
@testable import ISOImage

/// The ISO boots under qemu (shared/boot-testing.md): BIOS as a CD, BIOS as a
/// disk (hybrid MBR), UEFI as a CD (El Torito 0xEF), UEFI as a USB stick (GPT
/// ESP). The same tree without boot options prints nothing.
final class ISOBootTests: XCTestCase {
    func testHybridImageBootsFourWaysAndTheControlDoesNot() throws {
        let scratch = try Scratch.folder("boot")
        defer { Scratch.remove(scratch) }
        let source = scratch + "/tree"
        try Scratch.write(Array("boot test media\n".utf8), to: source + "/readme.txt")
        try Scratch.write(Array("[Variables]\n".utf8), to: source + "/SMS/data/Variables.dat")
        try GeneratedTree.addBootFiles(to: source, payloads: try BootPayloads.make())
        let tree = try MediaTree.fromFolder(source, label: "Boot Test")

        let image = scratch + "/boot.iso"
        try ISOImage.discs(tree, options: GeneratedTree.bootOptions("Boot Test"))[0].layout.write(to: image)
        for (firmware, attach) in [("bios", "cdrom"), ("bios", "disk"), ("uefi", "cdrom"), ("uefi", "usb")] {
            let log = scratch + "/\(firmware)-\(attach).log"
            let booted = try BootPayloads.boots(image, firmware: firmware, attach: attach, log: log)
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            XCTAssertTrue(booted, "\(firmware) \(attach): no \(BootPayloads.marker); log:\n\(text.suffix(2000))")
        }

        // Control: the same files, no El Torito, no system area. Booting it must
        // not print the marker (qemu is cut short: a firmware with nothing to
        // boot waits forever).
        let control = scratch + "/control.iso"
        try ISOImage.discs(tree, options: ISOOptions(label: "Boot Test"))[0].layout.write(to: control)
        for (firmware, attach) in [("bios", "cdrom"), ("bios", "disk"), ("uefi", "cdrom"), ("uefi", "usb")] {
            let log = scratch + "/control-\(firmware)-\(attach).log"
            let booted = try BootPayloads.boots(control, firmware: firmware, attach: attach, log: log, seconds: 15)
            XCTAssertFalse(booted, "control image printed the marker (\(firmware) \(attach))")
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            XCTAssertFalse(text.contains(BootPayloads.marker))
            // qemu did start (a control that never ran proves nothing).
            let refusals = text.split(separator: "\n").filter { $0.hasPrefix("qemu-system-x86_64:") && !$0.contains("terminating on signal") }
            XCTAssertTrue(refusals.isEmpty, "qemu refused the control (\(firmware) \(attach)): \(refusals)")
        }
    }
}
