// dermasim/dermasim.hpp — umbrella header: the whole C++ API.
#pragma once

#include "dermasim/core/error.hpp"
#include "dermasim/core/units.hpp"
#include "dermasim/core/grid.hpp"
#include "dermasim/core/field.hpp"
#include "dermasim/core/rng.hpp"
#include "dermasim/core/observer.hpp"
#include "dermasim/core/parallel.hpp"
#include "dermasim/core/version.hpp"
#include "dermasim/numerics/diffusion.hpp"
#include "dermasim/numerics/reaction.hpp"
#include "dermasim/numerics/chemotaxis.hpp"
#include "dermasim/numerics/splitting.hpp"
#include "dermasim/numerics/stepper.hpp"
