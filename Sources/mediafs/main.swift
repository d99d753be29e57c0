import ArgumentParser
print("mediafs")
